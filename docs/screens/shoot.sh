#!/usr/bin/env bash
# Takes the PNG screenshots in docs/screens of the real field app under Xvfb
# (see docs/app.md). Usage: docs/screens/shoot.sh [BINARY] [OUTDIR]
# ONLY=REGEX takes only the shots whose name matches.
# Needs: xvfb, libgl1-mesa-dri; Xvfb's XWD frame buffer is converted to PNG by
# app/cmd/lawtrace-field/xwd2png (XWD2PNG=path to a built one), no ImageMagick.
set -euo pipefail
BIN=${1:-bin/lawtrace-field}
OUT=${2:-docs/screens}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
XWD2PNG=${XWD2PNG:-$WORK/xwd2png}
[[ -x "$XWD2PNG" ]] || go build -o "$XWD2PNG" ./app/cmd/lawtrace-field/xwd2png
export LANG=C.UTF-8
# A demo server address, so the credential QR codes show (nothing connects).
SERVER=ws://127.0.0.1:8080/sync

# shoot NAME WIDTH HEIGHT SCALE [app flags...]: one screenshot of WIDTHxHEIGHT pixels.
shoot() {
	local name=$1 w=$2 h=$3 scale=$4
	shift 4
	if [[ -n "${ONLY:-}" && ! "$name" =~ $ONLY ]]; then return 0; fi
	local fb="$WORK/fb-$name" home="$WORK/home-$name" disp=${XVFB_DISPLAY:-97}
	mkdir -p "$fb"
	Xvfb ":$disp" -screen 0 "${w}x${h}x24" -fbdir "$fb" -nolisten tcp >/dev/null 2>&1 &
	local xpid=$!
	sleep 1
	local fw fh
	fw=$(awk -v a="$w" -v s="$scale" 'BEGIN{printf "%d", a/s}')
	fh=$(awk -v a="$h" -v s="$scale" 'BEGIN{printf "%d", a/s}')
	DISPLAY=":$disp" FYNE_SCALE=$scale timeout -s KILL 30 "$BIN" --home "$home" --demo --server "$SERVER" --size "${fw}x${fh}" --quit-after 8s "$@" >"$WORK/$name.log" 2>&1 &
	local apid=$!
	sleep 6
	"$XWD2PNG" "$fb/Xvfb_screen0" "$OUT/$name.png"
	wait "$apid" || { echo "app failed for $name:"; cat "$WORK/$name.log"; }
	kill "$xpid" 2>/dev/null || true
	wait "$xpid" 2>/dev/null || true
	echo "$OUT/$name.png"
}

# shoot_sync_failing NAME WIDTH HEIGHT SCALE: the sync details of a terminal
# enrolled with a real lawtrace-server that has since gone away, so the
# details show the failure with its advice (built here unless SERVER_BIN /
# FIELDCTL point at built ones).
shoot_sync_failing() {
	local name=$1
	if [[ -n "${ONLY:-}" && ! "$name" =~ $ONLY ]]; then return 0; fi
	local srv=${SERVER_BIN:-$WORK/lawtrace-server} ctl=${FIELDCTL:-$WORK/lawtrace-fieldctl}
	[[ -x "$srv" ]] || go build -o "$srv" ./backend/cmd/lawtrace-server
	[[ -x "$ctl" ]] || go build -o "$ctl" ./app/cmd/lawtrace-fieldctl
	local port=$((20000 + RANDOM % 20000)) data="$WORK/server-$name" home="$WORK/home-$name"
	"$srv" --data "$data" --listen "127.0.0.1:$port" --demo --log-format text 2>"$WORK/server-$name.log" &
	local spid=$!
	for _ in $(seq 1 100); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	local code
	code=$("$srv" --data "$data" enroll --device-name "演示终端" --json | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')
	"$ctl" --home "$home" init --device-name "演示终端" >/dev/null
	"$ctl" --home "$home" enroll --server "ws://127.0.0.1:$port/sync" --code "$code" >/dev/null
	"$ctl" --home "$home" demo >/dev/null
	kill "$spid"
	wait "$spid" 2>/dev/null || true
	SERVER="ws://127.0.0.1:$port/sync" shoot "$@" --screen sync --screen-after 4s
}

PHONE="720 1440 2"
TABLET="1280 800 1"
shoot phone-cases $PHONE --screen cases
shoot phone-procedure $PHONE --screen procedure
shoot phone-newcase $PHONE --screen newcase
shoot phone-show-id $PHONE --screen show_id
shoot phone-rights $PHONE --screen notify_rights
shoot phone-sign $PHONE --screen sign
shoot phone-av $PHONE --screen av_record
shoot phone-sample $PHONE --screen sample
shoot phone-serve $PHONE --screen serve-lodging
shoot phone-serve-refused 360 720 1 --screen serve-refused
shoot phone-close $PHONE --screen close_scene
shoot phone-settings $PHONE --screen settings
shoot phone-about $PHONE --screen about
shoot phone-firstrun $PHONE --screen firstrun
shoot phone-addofficer $PHONE --screen addofficer
shoot phone-addofficer-high-contrast $PHONE --screen addofficer --high-contrast on
shoot phone-photo $PHONE --screen photo
shoot phone-settings-high-contrast $PHONE --screen settings --high-contrast on
shoot_sync_failing phone-sync $PHONE
shoot phone-photo-attached $PHONE --screen photo-attached
shoot phone-sample-rows $PHONE --screen sample-rows
shoot phone-cases-en $PHONE --screen cases --lang en
shoot phone-procedure-high-contrast $PHONE --screen procedure --high-contrast on
shoot phone-record $PHONE --screen record
shoot phone-correct $PHONE --screen correct
shoot phone-print $PHONE --screen print
shoot tablet-record $TABLET --screen record
shoot tablet-procedure $TABLET --screen procedure
shoot tablet-show-id $TABLET --screen show_id
shoot tablet-serve $TABLET --screen serve-lodging
shoot tablet-cases $TABLET --screen cases
