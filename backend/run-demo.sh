#!/usr/bin/env bash
# make run: lawtrace-server on its embedded default (SQLite + media folder
# under .tmp/server) with demo data, plus a demo terminal that enrols,
# records a full inspection case offline and syncs it. The server stays in
# the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin
listen=${LISTEN:-127.0.0.1:8080}
data=.tmp/server
terminal=.tmp/demo-terminal
rm -rf "$terminal"
mkdir -p .tmp

"$bin/lawtrace-server" --data "$data" --listen "$listen" --demo --log-format text 2>.tmp/server.log &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "lawtrace-server did not start; see .tmp/server.log" >&2; exit 1; }
  sleep 0.1
done

code=$("$bin/lawtrace-server" --data "$data" enroll --device-name "演示终端" --json | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')
"$bin/lawtrace-fieldctl" --home "$terminal" init --device-name "演示终端" >/dev/null
"$bin/lawtrace-fieldctl" --home "$terminal" enroll --server "ws://$listen/sync" --code "$code"
"$bin/lawtrace-fieldctl" --home "$terminal" demo
"$bin/lawtrace-fieldctl" --home "$terminal" sync
"$bin/lawtrace-server" --data "$data" verify
"$bin/lawtrace-server" --data "$data" stats

app_note="  field app:     needs a desktop (DISPLAY); run make run there to open it enrolled here"
if [ -n "${DISPLAY:-}" ]; then
  # On a desktop: the Fyne field app too, enrolled with its own one-time code.
  go build -o "$bin/" ./app/cmd/lawtrace-field
  app_home=.tmp/field-app
  if [ ! -e "$app_home/terminal.db" ]; then
    app_code=$("$bin/lawtrace-server" --data "$data" enroll --device-name "执法终端（桌面）" --json | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')
    "$bin/lawtrace-fieldctl" --home "$app_home" init --device-name "执法终端（桌面）" >/dev/null
    "$bin/lawtrace-fieldctl" --home "$app_home" enroll --server "ws://$listen/sync" --code "$app_code" >/dev/null
  fi
  "$bin/lawtrace-field" --home "$app_home" --server "ws://$listen/sync" &
  app_note="  field app:     started (home $app_home), enrolled and syncing to this server"
fi

cat <<TXT

LawTrace is running on http://$listen (server data in $data, log in .tmp/server.log).
  web pages:     http://$listen/  — demo accounts (password lawtrace-<name>):
                 supervisor (live board), reviewer (法制审核), officer, admin (devices, officers)
$app_note
  health:        http://$listen/healthz
  metrics:       http://$listen/metrics
  terminal:      $bin/lawtrace-fieldctl --home $terminal status
  another code:  $bin/lawtrace-server --data $data enroll --device-name NAME
Ctrl-C stops the server.
TXT
wait $server
