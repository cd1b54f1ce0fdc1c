#!/usr/bin/env bash
# Install the Debian packages the hall needs, only those missing.
# Xvfb/xauth: a virtual display for the kiosk window; libmtdev1, libgl1, libegl1,
# libgl1-mesa-dri: Kivy's SDL2 window; fonts-wqy-microhei: Chinese glyphs;
# espeak-ng + sox: offline voice; socat: serial pty pairs for device simulators;
# chromium: the manager page's browser test; python3-venv: the virtualenv.
set -euo pipefail
pkgs=(xvfb xauth libmtdev1 libgl1 libegl1 libgl1-mesa-dri fonts-wqy-microhei espeak-ng sox socat
      chromium)
py=${PYTHON:-python3.11}
if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  pkgs+=("python3-venv")
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "system-deps: not a Debian system; please install: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: run as root (or install by hand): apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
