#!/usr/bin/env bash
# Publishes fergan for a GPU machine that has PyTorch but no .NET: self-contained, trimmed (partial: only framework
# assemblies), without the bundled CPU libtorch (the machine's own CUDA libtorch is used via --libtorch), into
# .gpu/app, and packs it as .gpu/carry/app.tar.xz. Bundled models stay behind (the device scripts train their own),
# and so do the photo commands and ONNX export (FerganTrainingOnly: no ONNX Runtime or ASP.NET Core to carry). Reflection-based JSON stays on: the run files use it.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .gpu/app
dotnet publish src/Fergan.Cli/Fergan.Cli.csproj -c Release -r linux-x64 --self-contained \
  -p:PublishTrimmed=true -p:TrimMode=partial -p:FerganBundleLibTorch=false -p:FerganBundleModels=false -p:FerganTrainingOnly=true \
  -p:TreatWarningsAsErrors=false -p:JsonSerializerIsReflectionEnabledByDefault=true \
  -o .gpu/app -v q -nologo | grep -v 'warning IL' || true
# Debugger support files are not needed to run.
rm -f .gpu/app/*.pdb .gpu/app/libmscordbi.so .gpu/app/libmscordaccore.so .gpu/app/createdump
# A bare GPU container may lack Skia's native dependencies and any font (ScottPlot needs one): bring this machine's
# (Debian 12; newer glibc runs them) and DejaVu Sans; bench/gpu/env.sh writes a fontconfig file for it (fontconfig wants absolute paths).
for lib in libfontconfig.so.1 libfreetype.so.6 libexpat.so.1 libpng16.so.16 libbrotlidec.so.1 libbrotlicommon.so.1; do
  cp -L "/usr/lib/x86_64-linux-gnu/$lib" .gpu/app/
done
mkdir -p .gpu/app/fonts
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf .gpu/app/fonts/
mkdir -p .gpu/carry
tar -C .gpu -cf - app | xz -9 -T2 > .gpu/carry/app.tar.xz
ls -la .gpu/carry/app.tar.xz
