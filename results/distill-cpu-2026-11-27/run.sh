#!/bin/bash
# CPU check of distillation on FER2013: vgg-16 quick profile, 3 epochs, seed 2013, with and without the bundled vgg-64 as teacher.
F="dotnet /tmp/fergan-kd/fergan.dll"
D=/work/shared/data/fer2013/fer2013.csv.gz
for arm in none teacher; do
  extra=""; [ $arm = teacher ] && extra="--teacher /work/main/models/classifier"
  if [ -f $arm/classifier.json ] && grep -q '"epoch": 3' $arm/log.jsonl 2>/dev/null; then continue; fi
  resume=""; [ -d $arm ] && resume="--resume"
  /usr/bin/time -v $F train --data $D --out $arm --epochs 3 --seed 2013 $extra $resume --json > $arm.json 2> $arm.err
done
