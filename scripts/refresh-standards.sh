#!/usr/bin/env bash
# Refreshes standards/ from its upstream repositories at the revisions below (see standards/README.md).
# Needs git and network access to the upstream hosts; changes nothing when a clone fails.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=standards
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

EPCIS_REPO=https://github.com/gs1/EPCIS.git
EPCIS_REV=2b888befbc07
OPENEPCIS_REPO=https://github.com/openepcis/openepcis-test-resources.git
OPENEPCIS_REV=901e5d392f1f
HASH_REPO=https://github.com/RalphTro/epcis-event-hash-generator.git
HASH_REV=5d2f1c389a15
DICTIONARY_REPO=https://github.com/gs1/gs1-syntax-dictionary.git
DICTIONARY_REV=main

checkout() { # name repo revision
  git clone --quiet --filter=blob:none "$2" "$WORK/$1"
  git -C "$WORK/$1" checkout --quiet "$3"
}
checkout epcis "$EPCIS_REPO" "$EPCIS_REV"
checkout openepcis "$OPENEPCIS_REPO" "$OPENEPCIS_REV"
checkout hash "$HASH_REPO" "$HASH_REV"
checkout dictionary "$DICTIONARY_REPO" "$DICTIONARY_REV"

replace() { # source-folder destination-folder
  rm -rf "$2" && mkdir -p "$2" && cp -R "$1"/. "$2"/
}
replace "$WORK/epcis/JSON-Schema" "$DEST/epcis-2.0/json-schema"
replace "$WORK/epcis/XSD" "$DEST/epcis-2.0/xsd"
replace "$WORK/epcis/XSL/1.2/XSD" "$DEST/epcis-1.2/xsd"
replace "$WORK/epcis/REST Bindings" "$DEST/epcis-2.0/rest-binding"
replace "$WORK/epcis/Conformance Requirements" "$DEST/epcis-2.0/conformance"
replace "$WORK/epcis/XML" "$DEST/epcis-2.0/xml-examples"
mkdir -p "$DEST/epcis-2.0/examples" "$DEST/epcis-2.0/json-ld-context"
for f in "$DEST"/epcis-2.0/examples/*; do cp "$WORK/epcis/JSON/$(basename "$f")" "$f"; done
cp "$WORK/epcis/epcis-context.jsonld" "$DEST/epcis-2.0/json-ld-context/"
cp "$WORK/epcis/JSON-LD-Context/"*.jsonld "$DEST/epcis-2.0/json-ld-context/"
replace "$WORK/openepcis/core/src/main/resources/2.0/EPCIS/JSON/Capture/Invalid" "$DEST/epcis-2.0/invalid"
cp "$WORK/openepcis/LICENSE" "$DEST/epcis-2.0/invalid/LICENSE"
for f in "$DEST"/cbv-event-hash/*; do
  [ "$(basename "$f")" = LICENSE ] && continue
  cp "$WORK/hash/tests/examples/$(basename "$f")" "$f"
done
cp "$WORK/hash/LICENSE" "$DEST/cbv-event-hash/LICENSE"
cp "$WORK/dictionary/gs1-syntax-dictionary.txt" "$WORK/dictionary/LICENSE" "$DEST/gs1-syntax-dictionary/"
git status --short -- "$DEST"
