#!/bin/bash
# Every string the code marks for translation has a French translation:
# extract a fresh template from po/POTFILES.in, as meson's i18n module does,
# and compare po/fr.po with it. Untranslated and fuzzy entries count as
# missing, so a French user never meets an English sentence.
set -euo pipefail

src="${POSTIER_SOURCE_ROOT:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$src"
grep -v '^#' po/POTFILES.in | sed '/^[[:space:]]*$/d' > "$tmp/files"
xgettext --files-from="$tmp/files" --directory="$src" --output="$tmp/postier.pot" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_printerr:1:c-format --flag=g_print:1:c-format 2>"$tmp/xgettext.log" \
  || { cat "$tmp/xgettext.log" >&2; exit 1; }

echo "1..2"
if msgfmt --check --output-file=/dev/null po/fr.po 2>"$tmp/msgfmt.log"; then
  echo "ok 1 po/fr.po compiles with --check"
else
  sed 's/^/# /' "$tmp/msgfmt.log"
  echo "not ok 1 po/fr.po compiles with --check"
fi
# Merging without fuzzy matching leaves every string fr.po lacks untranslated.
msgmerge --quiet --no-fuzzy-matching --output-file="$tmp/merged.po" po/fr.po "$tmp/postier.pot"
msgattrib --untranslated --no-obsolete --no-wrap "$tmp/merged.po" > "$tmp/missing.po"
msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/merged.po" >> "$tmp/missing.po"
missing="$(grep -c '^msgid "[^"]' "$tmp/missing.po" || true)"
if [[ "$missing" -eq 0 ]]; then
  echo "ok 2 every translatable string has a French translation"
else
  echo "# $missing strings lack a French translation in po/fr.po:"
  grep -B2 '^msgid "[^"]' "$tmp/missing.po" | grep -v '^--$' | sed 's/^/#   /'
  echo "not ok 2 every translatable string has a French translation"
fi
