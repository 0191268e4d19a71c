#!/bin/bash
# Every paragraph of the help (help/C/*.page) is translated in each
# help/LANG/LANG.po, and the translated pages are valid Mallard.
#   build-aux/check-help-translations.sh HELP_DIR
set -euo pipefail
help="${1:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$help"
itstool -o "$tmp/help.pot" C/*.page
n=0 status=0
for lang in $(sed -e 's/#.*//' LINGUAS); do
  n=$((n + 1))
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$lang/$lang.po" "$tmp/help.pot"
  missing="$( (msgattrib --untranslated --no-obsolete "$tmp/$lang.po"; msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po") | grep -c '^msgid "[^"]' || true)"
  msgfmt --check -o "$tmp/$lang.mo" "$tmp/$lang.po"
  mkdir -p "$tmp/$lang"
  itstool -m "$tmp/$lang.mo" -o "$tmp/$lang/" C/*.page
  if [[ "$missing" -ne 0 ]]; then
    echo "not ok $n $lang: $missing help strings untranslated:"
    (msgattrib --untranslated --no-obsolete "$tmp/$lang.po"; msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po") | grep '^msgid' | sed 's/^/#   /'
    status=1
  elif ! (cd "$tmp/$lang" && yelp-check validate *.page); then
    echo "not ok $n $lang: the translated pages are not valid Mallard"
    status=1
  else
    echo "ok $n $lang: every help string translated, pages valid"
  fi
done
echo "1..$n"
exit $status
