# Sourced by the download scripts of data/.
# fetch URL DESTINATION ADVICE: download URL to DESTINATION with curl or wget; on failure print one line
# (ending in ADVICE: what to do instead) and exit 1.
fetch() {
    local url="$1" destination="$2" advice="$3" status
    echo "Downloading $url ..."
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 2 --connect-timeout 20 -o "$destination" "$url"
    elif command -v wget >/dev/null 2>&1; then
        wget -q --tries=2 --timeout=20 -O "$destination" "$url"
    else
        echo "error: neither curl nor wget is installed: install one of them (e.g. apt-get install curl)" >&2
        exit 1
    fi
    status=$?
    if [ $status -ne 0 ] || [ ! -s "$destination" ]; then
        echo "error: could not download $url (offline, or the server is unreachable): try again later, or $advice" >&2
        exit 1
    fi
}

# start_dataset_download ROOT NAME: exit 0 when ROOT/NAME already holds files; else set TARGET (ROOT/NAME) and
# WORK (a scratch folder beside it, removed when the script exits), so that a set moves into place only complete.
start_dataset_download() {
    TARGET="$1/$2"
    if [ -d "$TARGET" ] && [ -n "$(ls -A "$TARGET" 2>/dev/null)" ]; then
        echo "$TARGET already exists: nothing to do (remove it to download again)."
        exit 0
    fi
    WORK="$1/.download_$2"
    mkdir -p "$WORK" || { echo "error: cannot create $WORK" >&2; exit 1; }
    trap 'rm -rf "$WORK"' EXIT
}
