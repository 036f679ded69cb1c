#!/usr/bin/env bash
# Takes the PNG screenshots of the real field app under Xvfb into the folder
# LAWTRACE_SCREENSHOTS names (an absolute path; nothing is written without
# it), every screen at phone (360x720 units at FYNE_SCALE=2) and tablet
# (1280x800) size, in the default and the high-contrast theme (see
# docs/app.md). Usage: LAWTRACE_SCREENSHOTS=/abs/dir docs/screens/shoot.sh [BINARY]
# ONLY=REGEX takes only the shots whose name matches; JOBS=N shots at once
# (each on its own Xvfb display, from XVFB_DISPLAY up; default 3).
# Needs: xvfb, libgl1-mesa-dri; Xvfb's XWD frame buffer is converted to PNG by
# app/cmd/lawtrace-field/xwd2png (XWD2PNG=path to a built one), no ImageMagick.
set -euo pipefail
BIN=${1:-bin/lawtrace-field}
OUT=${LAWTRACE_SCREENSHOTS:-}
if [[ "$OUT" != /* ]]; then
	echo "set LAWTRACE_SCREENSHOTS to the absolute path of the folder for the screenshots" >&2
	exit 2
fi
mkdir -p "$OUT"
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
	local fb="$WORK/fb-$name" home="$WORK/home-$name" disp=${DISP:-${XVFB_DISPLAY:-97}}
	mkdir -p "$fb"
	Xvfb ":$disp" -screen 0 "${w}x${h}x24" -fbdir "$fb" -nolisten tcp -nocursor >/dev/null 2>&1 &
	local xpid=$!
	sleep 1
	local fw fh
	fw=$(awk -v a="$w" -v s="$scale" 'BEGIN{printf "%d", a/s}')
	fh=$(awk -v a="$h" -v s="$scale" 'BEGIN{printf "%d", a/s}')
	DISPLAY=":$disp" FYNE_SCALE=$scale timeout -s KILL 40 "$BIN" --home "$home" --demo --server "$SERVER" --size "${fw}x${fh}" --quit-after 16s "$@" >"$WORK/$name.log" 2>&1 &
	local apid=$!
	sleep 13
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
# FILE SCREEN: every screen of the app (ui.Screens) under its file name.
SHOTS="cases:cases procedure:procedure newcase:newcase show-id:show_id rights:notify_rights sign:sign
photo:photo photo-attached:photo-attached av:av_record inspection-notes:inspection_notes
inquiry-notes:inquiry_notes sample:sample sample-rows:sample-rows preserve:preserve refusal:refusal
serve-direct:serve serve:serve-lodging serve-refused:serve-refused close:close_scene settings:settings
about:about firstrun:firstrun addofficer:addofficer record:record correct:correct print:print"

# all takes every shot, JOBS at a time, each on its own display.
all() {
	local jobs=${JOBS:-3} n=0 base=${XVFB_DISPLAY:-97}
	for size in phone tablet; do
		local dims=$PHONE
		[[ $size == tablet ]] && dims=$TABLET
		for contrast in off on; do
			local suffix=""
			[[ $contrast == on ]] && suffix="-high-contrast"
			for pair in $SHOTS; do
				DISP=$((base + n % jobs)) shoot "$size-${pair%%:*}$suffix" $dims --screen "${pair#*:}" --high-contrast $contrast &
				n=$((n + 1))
				if ((n % jobs == 0)); then wait; fi
			done
			DISP=$((base + n % jobs)) shoot "$size-cases-en$suffix" $dims --screen cases --lang en --high-contrast $contrast &
			n=$((n + 1))
			wait
			DISP=$base shoot_sync_failing "$size-sync$suffix" $dims --high-contrast $contrast || echo "sync shot $size$suffix failed" >&2
		done
	done
}
all
