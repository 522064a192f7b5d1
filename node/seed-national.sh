#!/usr/bin/env bash
# The national node's first standards, as a real deployment would start:
# org units from ../shared/data when present, the selection standards of the
# guideline, the issue register's categories and prioritisation criteria,
# and a monthly report template for county secretariats.  They reach every
# node below with sync.  Used by `make run` and `make demo`.
# Usage: node/seed-national.sh NEHZAT_BINARY NATIONAL_DIR
set -u
B=$1 N=$2
SHARED=${NEHZAT_SHARED:-../shared}
if [ -f "$SHARED/data/iran_provinces.csv" ]; then
	"$B" orgunit import -D "$N" "$SHARED/data/iran_provinces.csv" >/dev/null &&
		"$B" orgunit import -D "$N" "$SHARED/data/iran_counties.csv" >/dev/null || exit 1
else
	echo "($SHARED/data not found: org units have no names)"
fi
"$B" standard add -D "$N" --defaults >/dev/null &&
	"$B" register seed-standards -D "$N" >/dev/null &&
	"$B" template add -D "$N" --code monthly --title "گزارش ماهانه همیاران" --period month \
		--reporter secretariat --level county --due-days 10 \
		--field 'sessions:number:required:int:min=0:label=جلسات هم اندیشی' \
		--field 'summary:text:required:label=خلاصه' >/dev/null
