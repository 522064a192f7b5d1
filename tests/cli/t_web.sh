#!/usr/bin/env bash
# The web server against what an unfriendly client does, with curl and raw
# sockets against a real `nehzat serve` on loopback (Linux answers from any
# 127.x.y.z address, so clients at different addresses are real): failed
# logins lock out their own address only, unfinished headers are reaped,
# connections per address are bounded, invalid UTF-8 and oversized bodies
# get a JSON answer with a length, numbers out of range and other content
# types are refused, and HTTPS with Secure cookies.
source "$(dirname "$0")/../cluster/lib.sh"
export NEHZAT_TODAY=2026-11-28
command -v curl >/dev/null || skip_all "no curl"
command -v openssl >/dev/null || skip_all "no openssl"
http_node IR-07-03
sed -i "s/^http = .*/&\nhttp_timeout = 2\nhttp_per_client = 6/" "$D/nehzat.conf"
check "user add admin" sh -c "echo admin-pass-1 | '$B' user add -D '$D' --name admin --role admin"
start IR-07-03
wait_for 10 curl -sf "$U/" || { nok "serve answers HTTP"; finish; exit 1; }
ok "serve answers HTTP on $U"

# raw REQUEST: sends the bytes on a new connection from 127.0.0.1, prints the answer.
raw() {
	exec 5<>"/dev/tcp/127.0.0.1/$P" || return 1
	printf '%b' "$1" >&5
	timeout 5 cat <&5
	exec 5<&-
}
# body_ok ANSWER: a status line, a Content-Length equal to the body's length, a JSON error body.
body_ok() {
	local head body len
	head=${1%%$'\r\n\r\n'*}
	body=${1#*$'\r\n\r\n'}
	len=$(printf '%s' "$head" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: *//p')
	[ -n "$len" ] && [ "$len" -eq "${#body}" ] && [[ $body == '{"error":{"code":'* ]]
}
login() { # login NAME PASS [curl args]: the status
	local n=$1 p=$2; shift 2
	curl -s -o "$T/body" -w '%{http_code}' "$@" -H 'Content-Type: application/json' \
		-d "{\"name\":\"$n\",\"password\":\"$p\"}" "$U/api/v1/login"
}

# Invalid UTF-8 in a path, an unparsable escape, a body over the bound: JSON with a length.
a=$(raw 'GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
check_match "invalid UTF-8 in a path: 400" "${a%%$'\r'*}" '^HTTP/1.1 400'
check "invalid UTF-8 in a path: a JSON body with its Content-Length" body_ok "$a"
check_match "invalid UTF-8 in a path: says so" "$a" 'not valid UTF-8'
a=$(raw 'GET /api/v1/issues/%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
check "an escaped invalid UTF-8 sequence: JSON with a length" body_ok "$a"
a=$(raw 'POST /api/v1/issues HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n')
check_match "a body announced over 1 MiB: 413 before it is sent" "${a%%$'\r'*}" '^HTTP/1.1 413'
check "a body announced over 1 MiB: JSON with a length" body_ok "$a"
long=$(head -c 5000 /dev/zero | tr '\0' a)
a=$(raw "GET /api/v1/issues?x=$long HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
check_match "a URI over 4096 bytes: 414, not cut short" "${a%%$'\r'*}" '^HTTP/1.1 414'
check "a URI over 4096 bytes: JSON with a length" body_ok "$a"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T/big"
check_eq "a chunked body over 1 MiB: 413" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	-H 'Content-Type: application/json' --data-binary @"$T/big" "$U/api/v1/login")" "413"

# Twenty failed logins with invented names from 127.0.0.2 lock out 127.0.0.2 only.
for i in $(seq 1 21); do
	s=$(login "invented$i" guess-guess-1 --interface 127.0.0.2)
done
check_eq "invented names from 127.0.0.2: the 21st is refused" "$s" "429"
check_eq "and 127.0.0.2 cannot log in as the admin either (no device cookie)" \
	"$(login admin admin-pass-1 --interface 127.0.0.2)" "429"
check_eq "the admin still logs in from 127.0.0.1" "$(login admin admin-pass-1 -c "$T/a.jar")" "200"
A=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' "$T/body")
check_match "and gets a device cookie for the login route" "$(grep nz_device "$T/a.jar")" '/api/v1/login'
check_eq "which lets it log in from 127.0.0.2 too" "$(login admin admin-pass-1 --interface 127.0.0.2 -b "$T/a.jar")" "200"
check_match "twenty unknown names and two logins: 22 hashes verified" "$(curl -s "$U/metrics")" 'nehzat_http_logins_failed_total 20.*nehzat_http_password_checks_total 22'

# Numbers out of range and content types other than JSON; nothing written.
post() { curl -s -o "$T/body" -w '%{http_code}' -b "$T/a.jar" -H "X-CSRF-Token: $A" "$@" "$U/api/v1/issues"; }
head0=$(sql IR-07-03 "SELECT count(*) FROM oplog")
check_eq "40 digits of people: 400" "$(post -H 'Content-Type: application/json' \
	-d '{"title":"t","people":"9999999999999999999999999999999999999999"}')" "400"
check_match "and the range is named" "$(cat "$T/body")" 'people must be a whole number from 0 to 100000000'
check_eq "application/jsonp: 415" "$(post -H 'Content-Type: application/jsonp' -d '{"title":"t"}')" "415"
check_eq "application/json; charset=iso-8859-1: 415" \
	"$(post -H 'Content-Type: application/json; charset=iso-8859-1' -d '{"title":"t"}')" "415"
check_eq "nothing was written" "$(sql IR-07-03 "SELECT count(*) FROM oplog")" "$head0"
check_eq "application/json; charset=utf-8: 200" "$(post -H 'Content-Type: application/json; charset=utf-8' -d '{"title":"t"}')" "200"

# Unfinished headers: six connections from 127.0.0.1 hold what one address may hold ...
# (first the server must have closed the connections of the requests above: one it has
# not yet seen closed still counts for 127.0.0.1)
wait_for 10 sh -c "! ss -tn state established state close-wait '( sport = :$P )' | grep -q ':$P'"
for fd in 10 11 12 13 14 15; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$P" && printf 'GET / HTTP/1.1\r\nHost: x\r\n' >&"$fd"
done
sleep 0.3
check_eq "a seventh connection from the same address is refused" \
	"$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$U/")" "000"
check_eq "another address is served meanwhile" \
	"$(curl -s -m 3 -o /dev/null -w '%{http_code}' --interface 127.0.0.3 "$U/")" "200"
# ... until the idle timeout (2 s here) reaps them: each reads end-of-file, not a hang.
reaped=0
for fd in 10 11 12 13 14 15; do
	timeout 8 cat <&"$fd" >/dev/null && reaped=$((reaped + 1))
	eval "exec $fd<&-"
done
check_eq "the unfinished requests are reaped by the timeout" "$reaped" "6"
check_eq "and the address is served again" "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$U/")" "200"
check "the node kept running" kill -0 "$(cat "$T/IR-07-03.pid")"
# A second node left on the same port does not share it (no SO_REUSEPORT): its UI is refused, with a reason.
D2=$(dir_of IR-07-04)
nz init -D "$D2" --id IR-07-04 --parent "ipc://$T/none2.sock" >/dev/null
sed -i "s/^http = .*/http = 127.0.0.1:$P/" "$D2/nehzat.conf"
start IR-07-04
wait_for 10 grep -q 'web UI' "$T/IR-07-04.log"
check_match "a second node on the same port is refused the port" "$(cat "$T/IR-07-04.log")" \
	"web UI not served: cannot serve HTTP on 127.0.0.1:$P"
stop IR-07-04
stop IR-07-03

# HTTPS: a self-signed certificate made here; plain HTTP is not spoken any more.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/ui.key" -out "$T/ui.crt" >/dev/null 2>&1
check "a self-signed certificate" test -s "$T/ui.crt"
sed -i "s|^http_timeout = 2|http_timeout = 2\nhttp_tls_cert = $T/ui.crt\nhttp_tls_key = $T/ui.key|" "$D/nehzat.conf"
start IR-07-03
S="https://127.0.0.1:$P"
wait_for 10 curl -sf --cacert "$T/ui.crt" "$S/" || nok "serve answers HTTPS"
check_eq "the UI over HTTPS" "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ui.crt" "$S/")" "200"
check_match "HSTS" "$(curl -s -D - -o /dev/null --cacert "$T/ui.crt" "$S/")" 'Strict-Transport-Security: max-age='
h=$(curl -s -D - -o /dev/null --cacert "$T/ui.crt" -H 'Content-Type: application/json' \
	-d '{"name":"admin","password":"admin-pass-1"}' "$S/api/v1/login")
check_match "the session cookie is Secure" "$(grep -i 'set-cookie: nz_session' <<<"$h")" 'HttpOnly; SameSite=Strict; Max-Age=[0-9]+; Secure'
check_match "the device cookie is Secure" "$(grep -i 'set-cookie: nz_device' <<<"$h")" '; Secure'
check_eq "plain HTTP gets no page" "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/")" "000"
check_match "the log names the HTTPS URL" "$(cat "$T/IR-07-03.log")" "web UI at https://127.0.0.1:$P/"
stop IR-07-03
# A key that does not match is refused at start with a reason, and the node still syncs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=x \
	-keyout "$T/other.key" -out "$T/other.crt" >/dev/null 2>&1
sed -i "s|^http_tls_key = .*|http_tls_key = $T/other.key|" "$D/nehzat.conf"
start IR-07-03
wait_for 10 grep -q 'web UI not served' "$T/IR-07-03.log"
check_match "a key that does not match the certificate: the UI is not served, with a reason" \
	"$(cat "$T/IR-07-03.log")" 'cannot serve HTTPS on 127.0.0.1'
stop IR-07-03
finish
