#!/bin/bash
# Born-again check on 2 CPU cores: vgg-16 quick profile (8 epochs), teachers of the student's own size.
# A (seed 2013) and B (seed 2014) plain; C (seed 2015) plain, the control; S1 (seed 2015) distilled from A; S2 (seed 2015) from A and B.
F="dotnet /tmp/fergan-ba/fergan.dll"
D=/work/shared/data/fer2013/fer2013.csv.gz
run() {  # name seed [options]
  local name=$1 seed=$2; shift 2
  if [ -f $name/log.jsonl ] && [ "$(wc -l < $name/log.jsonl)" -ge 8 ]; then return; fi
  local resume=""; [ -d $name ] && resume="--resume"
  $F train --data $D --out $name --seed $seed "$@" $resume --json > $name.json 2> $name.err
}
run A 2013
run C 2015
run S1 2015 --teacher A
run B 2014
run S2 2015 --teacher A --teacher B
