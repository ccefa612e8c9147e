#!/usr/bin/env bash
# Builds the DocC documentation of the library modules with swift-docc-plugin; any DocC warning (an unresolved
# symbol link, an ambiguous article name) fails the build. Archives: .build/plugins/Swift-DocC/outputs/.
# Pass --static to write one static website for all five modules to docs-site/ instead; serve that folder with
# any static file server (`python3 -m http.server -d docs-site`) and open /documentation/lens.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(--target Kernels --target Tensor --target NN --target Lens --target LensStore)
if [[ "${1:-}" == "--static" ]]; then
    swift package --allow-writing-to-directory docs-site generate-documentation "${targets[@]}" --warnings-as-errors \
        --transform-for-static-hosting --enable-experimental-combined-documentation --output-path docs-site
else
    swift package generate-documentation "${targets[@]}" --warnings-as-errors
fi
