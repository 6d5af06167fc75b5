#!/usr/bin/env bash
# Release binaries of chainkb, each one file with the seed data inside (build.rs embeds graphs/
# and seeds/): a static Linux x86_64 binary (musl) and a Windows x86_64 binary (the GNU target,
# linked by mingw-w64). Written to dist/ (or $OUT) with SHA256SUMS, then smoke-tested: the Linux
# one from an empty directory with a fresh HOME, the Windows one under wine when wine is there.
#
#   tools/release.sh                 both binaries, with smoke tests
#   tools/release.sh --linux         only the Linux one (--windows: only the Windows one)
#   tools/release.sh --no-smoke      build and check linkage only
#
# Needs: rustup, which adds the targets x86_64-unknown-linux-musl and x86_64-pc-windows-gnu when
# they are missing (a download from static.rust-lang.org); for Windows, mingw-w64 (Debian/Ubuntu:
# apt-get install mingw-w64); for the Windows smoke test, wine (Debian: apt-get install wine64;
# without it the test is skipped and the script says so). docs/RELEASE.md says what was checked.
set -euo pipefail
cd "$(dirname "$0")/.."

linux=1
windows=1
smoke=1
for arg in "$@"; do
  case "$arg" in
    --linux) windows=0 ;;
    --windows) linux=0 ;;
    --no-smoke) smoke=0 ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "release.sh: unknown option $arg (options: --linux, --windows, --no-smoke)" >&2
      exit 1
      ;;
  esac
done

LINUX_TARGET=x86_64-unknown-linux-musl
WINDOWS_TARGET=x86_64-pc-windows-gnu
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
out=${OUT:-dist}
mkdir -p "$out"

fail() {
  echo "release.sh: $*" >&2
  exit 1
}

mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

need_target() {
  if ! rustup target list --installed | grep -qx "$1"; then
    echo "== rustup target add $1"
    rustup target add "$1" || fail "cannot add the Rust target $1 (rustup target add $1 failed; it downloads the target's standard library from static.rust-lang.org)"
  fi
}

# The smoke test's question, and two segments its answer must list (data, not wording, so it
# holds in either output language).
QUESTION='status 锂电池 in 玉溪高新区'
smoke_check() { # name, output file
  grep -q '正极材料' "$2" && grep -q '隔膜' "$2" ||
    fail "$1: the answer to \`$QUESTION\` lists no 正极材料 or 隔膜; output:
$(head -c 2000 "$2")"
}

if [ "$linux" = 1 ]; then
  need_target "$LINUX_TARGET"
  echo "== cargo build --release --target $LINUX_TARGET"
  cargo build --release --locked --target "$LINUX_TARGET"
  bin="$out/chainkb-$version-x86_64-linux-musl"
  cp "target/$LINUX_TARGET/release/chainkb" "$bin"
  bin=$(realpath "$bin")
  # Static: no shared library needed, no program interpreter.
  if readelf -d "$bin" | grep -q NEEDED || readelf -l "$bin" | grep -q INTERP; then
    fail "$bin is not static: $(readelf -d "$bin" | grep NEEDED)"
  fi
  echo "$bin: static, $(mib "$bin")"
  if [ "$smoke" = 1 ]; then
    scratch=$(mktemp -d)
    mkdir "$scratch/home" "$scratch/empty"
    # From an empty directory, with a fresh HOME and nothing else of ours in the environment:
    # the first run builds the default database from the data inside the binary.
    (cd "$scratch/empty" && env -i PATH=/usr/bin:/bin HOME="$scratch/home" \
      "$bin" query "$QUESTION") >"$scratch/out.txt" 2>"$scratch/err.txt" ||
      fail "$bin query failed: $(cat "$scratch/err.txt")"
    smoke_check "$bin" "$scratch/out.txt"
    [ -d "$scratch/home/.local/share/chainkb/default-db" ] ||
      fail "$bin did not build its default database under \$HOME/.local/share/chainkb"
    echo "$bin: smoke test passed ($(grep -c '正极材料\|隔膜' "$scratch/out.txt") lines name 正极材料 or 隔膜; default database built in a fresh HOME)"
    rm -rf "$scratch"
  fi
fi

if [ "$windows" = 1 ]; then
  command -v x86_64-w64-mingw32-gcc >/dev/null ||
    fail "x86_64-w64-mingw32-gcc not found: the Windows binary is linked by mingw-w64 (apt-get install mingw-w64)"
  need_target "$WINDOWS_TARGET"
  echo "== cargo build --release --target $WINDOWS_TARGET"
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    cargo build --release --locked --target "$WINDOWS_TARGET"
  exe="$out/chainkb-$version-x86_64-windows.exe"
  cp "target/$WINDOWS_TARGET/release/chainkb.exe" "$exe"
  exe=$(realpath "$exe")
  # Only DLLs every Windows has: no libgcc_s / libwinpthread / libstdc++ to ship beside it.
  dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | sort -u | tr '\n' ' ')
  if echo "$dlls" | grep -qiE 'libgcc|libwinpthread|libstdc'; then
    fail "$exe needs mingw DLLs: $dlls"
  fi
  echo "$exe: $(mib "$exe"); DLLs: $dlls"
  if [ "$smoke" = 1 ]; then
    wine=$(command -v wine64 || command -v wine || ls /usr/lib/wine/wine64 2>/dev/null || true)
    if [ -z "$wine" ]; then
      echo "$exe: smoke test SKIPPED: wine is not installed (Debian: apt-get install wine64)"
    else
      scratch=$(mktemp -d)
      mkdir "$scratch/empty" "$scratch/bin"
      # Rust's standard library takes random bytes from ProcessPrng in bcryptprimitives.dll,
      # which every Windows 10 has but wine 8.0 (Debian 12) lacks ("Library bcryptprimitives.dll
      # ... not found", status c0000135). For the test only, a stand-in beside the exe supplies
      # ProcessPrng from RtlGenRandom; the shipped exe is unchanged.
      cat >"$scratch/prng.c" <<'EOF'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
EOF
      x86_64-w64-mingw32-gcc -O2 -shared -o "$scratch/bin/bcryptprimitives.dll" "$scratch/prng.c" -ladvapi32
      cp "$exe" "$scratch/bin/chainkb.exe"
      (cd "$scratch/empty" && WINEPREFIX="$scratch/prefix" WINEDEBUG=-all \
        "$wine" "$scratch/bin/chainkb.exe" query "$QUESTION") >"$scratch/out.txt" 2>"$scratch/err.txt" ||
        fail "$exe under $wine failed: $(tail -20 "$scratch/err.txt")"
      smoke_check "$exe (wine)" "$scratch/out.txt"
      echo "$exe: smoke test under $wine passed"
      rm -rf "$scratch"
    fi
  fi
fi

# Every binary of this version in $out, also one built by an earlier run (--linux, --windows).
(cd "$out" && sha256sum chainkb-"$version"-* >SHA256SUMS)
echo "== $out/SHA256SUMS"
cat "$out/SHA256SUMS"
