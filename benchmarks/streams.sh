#!/usr/bin/env bash
# Word count on Kafka Streams: KSF's split -> count against the same topology by hand (in-process), and, as child
# JVMs, `ksf run` against the Kafka Streams WordCountDemo. Writes benchmarks/target/streams-results.md.
# Usage: benchmarks/streams.sh [--lines N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
./mvnw -B -q -ntp -DskipTests -pl benchmarks,ksf-cli -am install
./mvnw -B -q -ntp -f benchmarks/peers/streams/pom.xml dependency:copy-dependencies \
  -DoutputDirectory="$PWD/benchmarks/target/peers/streams"
exec java -Xmx2g -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar io.ksf.bench.StreamsBench --children "$@"
