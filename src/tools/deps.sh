#!/bin/sh
# deps.sh — check (or install, with "install") the Debian packages humeur needs.
# Used by the Makefile: every target that compiles runs the check first.
set -e
PKGS="libstemmer-dev libpcre2-dev libutf8proc-dev libjansson-dev pkg-config"
missing=""
have() { [ -f "$1" ]; }
have /usr/include/libstemmer.h || missing="$missing libstemmer-dev"
have /usr/include/pcre2.h      || missing="$missing libpcre2-dev"
have /usr/include/utf8proc.h   || missing="$missing libutf8proc-dev"
have /usr/include/jansson.h    || missing="$missing libjansson-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
[ -z "$missing" ] && exit 0
if [ "$1" = install ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "humeur: installing$missing" >&2
        (apt-get install -y -qq $missing >/dev/null 2>&1) || { apt-get update -qq && apt-get install -y -qq $missing; }
        exit 0
    fi
    echo "humeur: missing packages:$missing" >&2
    echo "humeur: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "humeur: missing build dependencies:$missing" >&2
echo "humeur: run 'make deps' (as root) or: sudo apt-get install -y$missing" >&2
exit 1
