#!/usr/bin/env sh
# Regenerates the test CA and the fakes' server certificate (127.0.0.1, ::1, localhost).
# The CA key is thrown away after signing, so nothing else can ever be issued under this CA.
# TEST MATERIAL ONLY: trusted by nothing but tests that pass ca.pem explicitly.
set -eu
cd "$(dirname "$0")"
days=9125
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca-key.pem
openssl req -x509 -new -key ca-key.pem -config ca.cnf -days "$days" -sha256 -out ca.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server-key.pem
openssl req -new -key server-key.pem -config server.cnf -out server.csr
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days "$days" -sha256 \
  -extfile server.cnf -extensions ext -out server.pem
rm -f ca-key.pem ca.srl server.csr
openssl verify -CAfile ca.pem server.pem
