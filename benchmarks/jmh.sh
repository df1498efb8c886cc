#!/usr/bin/env bash
# JMH benchmarks of the hot paths, with settings that finish in a few minutes on 2 cores.
# Usage: benchmarks/jmh.sh [JMH options, e.g. -prof gc or a benchmark name regex]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
./mvnw -B -q -ntp -DskipTests -pl benchmarks -am package
exec java -jar benchmarks/target/benchmarks.jar -f 1 -wi 2 -w 2s -i 3 -r 3s -tu s -bm thrpt "$@"
