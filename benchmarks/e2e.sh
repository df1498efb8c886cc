#!/usr/bin/env bash
# End-to-end throughput harness: KSF against the raw limits of the broker, S3 and MongoDB-wire servers, all
# started in-process from the testkit, measured in one run. Writes benchmarks/target/e2e-results.md.
# Usage: benchmarks/e2e.sh [--records N] [--size BYTES] [--partitions P] [--docdb-records N] [--no-peers]
#        [--only "NAME PART;..."] [--memory-budget MIB]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
./mvnw -B -q -ntp -DskipTests -pl benchmarks,ksf-cli -am install
# the peers' class paths, from Maven Central: Kafka Connect (FileStreamSink, MongoDB sink, MirrorMaker 2) and
# Apache Camel
for peer in connect camel; do
  ./mvnw -B -q -ntp -f "benchmarks/peers/$peer/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$PWD/benchmarks/target/peers/$peer"
done
exec java -Xmx2g -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar io.ksf.bench.EndToEnd "$@"
