#!/usr/bin/env bash
# tls+tcp:// with mutual certificates: a county syncs with its province over
# TLS; a client without a certificate of the deployment's CA is refused.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || skip_all "openssl is not installed"

port=$((21000 + RANDOM % 20000))
ca() { # ca NAME: a certificate authority
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=$1" -keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
}
cert() { # cert CA NAME DNS: a node certificate signed by CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
		-keyout "$T/$2.key" -out "$T/$2.csr" 2>/dev/null &&
		openssl x509 -req -in "$T/$2.csr" -CA "$T/$1.crt" -CAkey "$T/$1.key" -CAcreateserial \
			-days 30 -extfile <(printf 'subjectAltName=DNS:%s' "$3") -out "$T/$2.crt" 2>/dev/null
}
tlsconf() { # tlsconf NODE CA CERT: point the node's [tls] at its files
	sed -i -e "s|^;ca =.*|ca = $T/$2.crt|" -e "s|^;cert =.*|cert = $T/$3.crt|" \
		-e "s|^;key =.*|key = $T/$3.key|" "$T/$1/nehzat.conf"
}

check "a CA" ca nehzat-ca
check "the province's certificate" cert nehzat-ca prov localhost
check "the county's certificate" cert nehzat-ca county IR-07-03.nehzat
check "a stranger CA and certificate" bash -c "$(declare -f ca cert); T=$T; ca other-ca && cert other-ca rogue localhost"

mktree IR-07 IR-07-03 || { nok "make the tree"; finish; exit; }
sed -i "s|^listen = .*|listen = tls+tcp://127.0.0.1:$port|" "$T/IR-07/nehzat.conf"
sed -i "s|^parent = .*|parent = tls+tcp://localhost:$port|" "$T/IR-07-03/nehzat.conf"
tlsconf IR-07 nehzat-ca prov
tlsconf IR-07-03 nehzat-ca county
# The province has no parent here: give it one it will never reach.
start IR-07
check "the province listens on TLS" wait_for 10 grep -q "node.listen url=tls+tcp" "$T/IR-07.log"

id=$(nz issue add -D "$(dir_of IR-07-03)" --title "over TLS")
check "the county syncs over mutual TLS" timeout 60 "$B" sync -D "$(dir_of IR-07-03)" --once
check_eq "the change arrived" "$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$id'")" 1

# A serving county whose key cannot be read when it dials (a certificate being renewed) says why and
# tries again after its backoff, rather than never syncing again.
mv "$T/county.key" "$T/county.key.away"
out=$(timeout 60 "$B" sync -D "$(dir_of IR-07-03)" --once 2>&1)
check_eq "sync --once with a key it cannot read fails" "$?" 1
check_match "saying which" "$out" "sync with tls\+tcp://localhost:$port failed: cannot open '$T/county.key'"
start IR-07-03
check "a key it cannot read: the county says so" wait_for 15 grep -q "county.key" "$T/IR-07-03.log"
sleep 2
mv "$T/county.key.away" "$T/county.key"
id=$(nz issue add -D "$(dir_of IR-07-03)" --title "after the key came back")
check "once it can read it, the county syncs" wait_sql IR-07 "SELECT count(*) FROM issue WHERE id = '$id'" 1 30
check "the county exits cleanly" stop IR-07-03

# A county whose certificate comes from another CA is refused by TLS itself.
cp -r "$T/IR-07-03" "$T/rogue"
tlsconf rogue nehzat-ca rogue
sed -i -e "s|^cert = .*|cert = $T/rogue.crt|" -e "s|^key = .*|key = $T/rogue.key|" "$T/rogue/nehzat.conf"
nz issue add -D "$T/rogue" --title "should not arrive" >/dev/null
sed -i 's/^;timeout = .*/timeout = 3/; s/^timeout = .*/timeout = 3/' "$T/rogue/nehzat.conf"
check_fails "a certificate of another CA is refused" timeout 60 "$B" sync -D "$T/rogue" --once
check_eq "nothing from it arrived" "$(sql IR-07 "SELECT count(*) FROM issue WHERE title = 'should not arrive'")" 0

# The child verifies the parent's name: dialing a name not in its certificate fails.
sed -i "s|^parent = .*|parent = tls+tcp://127.0.0.1:$port|" "$T/IR-07-03/nehzat.conf"
sed -i 's/^timeout = .*/timeout = 3/' "$T/IR-07-03/nehzat.conf"
check_fails "a parent certificate without the dialed name is refused" timeout 60 "$B" sync -D "$(dir_of IR-07-03)" --once
# Enrolment over TLS: a code for a tls+tcp:// province, joined with the county's certificate.
check "a second county's certificate" cert nehzat-ca county2 IR-07-04.nehzat
code=$(nz peer invite -D "$T/IR-07" --id IR-07-04 --url "tls+tcp://localhost:$port" | sed -n 's/^  \([0-9A-Z-]*\)$/\1/p')
out=$(nz init --join "$code" -D "$T/IR-07-04" 2>&1)
check_match "without certificate files the code is refused before anything is sent" "$out" "needs \[tls\] ca, cert and key"
check_fails "and leaves nothing behind" test -e "$T/IR-07-04"
check "with them, the county joins over TLS" nz init --join "$code" -D "$T/IR-07-04" \
	--tls-ca "$T/nehzat-ca.crt" --tls-cert "$T/county2.crt" --tls-key "$T/county2.key"
id4=$(nz issue add -D "$T/IR-07-04" --title "enrolled over TLS")
check "and syncs over TLS" timeout 60 "$B" sync -D "$T/IR-07-04" --once
check_eq "its change arrived" "$(sql IR-07 "SELECT count(*) FROM issue WHERE id = '$id4'")" 1
check "the province exits cleanly" stop IR-07
finish
