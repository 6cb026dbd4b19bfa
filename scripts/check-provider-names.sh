#!/usr/bin/env bash
# A provider is one folder: its name may appear in the core and the executable only in the one
# registration line (Sources/drgw/ProviderCatalog.swift) and in comments. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
names=$(sed -n 's/^ *public static let name = "\([a-z0-9-]*\)".*/\1/p' providers/*/*Plugin.swift | paste -sd'|')
ids=$(sed -n 's/^ *public static let demoAccountId = "\([a-z0-9-]*\)".*/\1/p' providers/*/*Plugin.swift | paste -sd'|')
# Signing schemes and their date headers, as each folder's signers declare them.
schemes=$(sed -n 's/^ *public static let \(algorithm\|dateHeader\) = "\([A-Za-z0-9-]*\)".*/\2/p' providers/*/Signing/*.swift | sort -u | paste -sd'|')
pattern="$names${ids:+|$ids}${schemes:+|$schemes}"
hits=$(grep -rnE "$pattern" Sources --include='*.swift' \
  | grep -v '^Sources/drgw/ProviderCatalog.swift:' \
  | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)
if [ -n "$hits" ]; then
  echo "check-provider-names: provider knowledge outside providers/ (move it into the provider's folder):"
  echo "$hits"
  exit 1
fi
echo "check-provider-names: ok (no $pattern in Sources/ outside the catalog)"
