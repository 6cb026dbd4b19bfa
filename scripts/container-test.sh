#!/usr/bin/env bash
# The container image test. Builds the repository's Dockerfile, unchanged, with buildah (no
# daemon, chroot isolation) and runs the image:
#   - the two base images the Dockerfile names (swift:6.3-bookworm, debian:bookworm-slim) cannot
#     be pulled here, so they are made from Debian packages with mmdebstrap (plus this machine's
#     Swift toolchain and its offline copy of the Swift packages for the build base) and cached
#     under a tag that is a hash of what goes into them;
#   - checks: image config (non-root user, health check, stop signal, volume, labels), runtime
#     libraries and CA bundle, no compiler, `drgw demo --round-trip`, `drgw serve` with a mounted
#     config answering /healthz, /readyz, /openapi.json and /v1/accounts on 127.0.0.1 from the host
#     as a non-root process, the HEALTHCHECK command, a graceful SIGTERM stop, the image size.
# Ends with `container: N passed, M failed`; exits non-zero when a check failed.
# Needs root (buildah and mmdebstrap in root mode). Environment:
#   DRGW_CONTAINER_TIMEOUT  seconds for the whole run (default 2700)
#   DRGW_CONTAINER_STATE    image store, cache mounts and base-image recipes (default /var/lib/drgw-container-test)
#   DRGW_IMAGE_MAX_MB       size limit of the runtime image, uncompressed (default 120)
set -uo pipefail
# The whole script is one function, parsed before it runs: editing the file during a run (which
# takes minutes) cannot change what the run does.
main() {
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
budget=${DRGW_CONTAINER_TIMEOUT:-2700}
state=${DRGW_CONTAINER_STATE:-/var/lib/drgw-container-test}
max_mb=${DRGW_IMAGE_MAX_MB:-120}
image=localhost/drgw:container-test
suite=bookworm
mirrors=(
  "deb http://deb.debian.org/debian $suite main"
  "deb http://deb.debian.org/debian $suite-updates main"
  "deb http://deb.debian.org/debian-security $suite-security main"
)
# The slim image's habit: no manuals, docs (but copyrights) or translations.
slim_dpkg_opts=(
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
)
# What the official swift:*-bookworm image installs next to the toolchain.
swift_image_packages=binutils,ca-certificates,git,gnupg2,libc6-dev,libcurl4-openssl-dev,libedit2,libgcc-12-dev,libncurses-dev,libpython3-dev,libsqlite3-0,libstdc++-12-dev,libxml2-dev,libz3-dev,pkg-config,tzdata,zlib1g-dev
gitconfig_for_build=$'[url "/opt/swift-packages/"]\n\tinsteadOf = https://github.com/\n\tinsteadOf = git@github.com:\n\tinsteadOf = ssh://git@github.com/\n'

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "container: PASS $*"; }
fail() { failed=$((failed + 1)); echo "container: FAIL $*"; }
note() { echo "container: $*"; }
elapsed() { echo $(( $(date +%s) - start )); }
left() { echo $(( budget - $(elapsed) )); }
# bounded SECONDS CMD...: runs CMD with at most SECONDS (and never past the whole budget).
bounded() {
  local limit=$1; shift
  local rest; rest=$(left)
  [ "$rest" -lt "$limit" ] && limit=$rest
  if [ "$limit" -le 0 ]; then echo "container: out of time (budget ${budget}s)" >&2; return 124; fi
  # In the background and waited for, so that a signal to this script is handled at once (bash
  # runs traps only between foreground commands); timeout passes the signal on to CMD.
  timeout --kill-after=15 "$limit" "$@" &
  step_pid=$!
  wait "$step_pid"
  local status=$?
  step_pid=""
  return "$status"
}
step_pid=""
# CPU seconds used by this script's finished children (user + system).
cpu_seconds() { echo $(( $(awk '{print $16 + $17}' /proc/$$/stat) / $(getconf CLK_TCK) )); }
finish() {
  note "$passed passed, $failed failed ($(elapsed)s)"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

if [ "$(id -u)" -ne 0 ]; then
  fail "setup: needs root (buildah and mmdebstrap in root mode)"
  finish
fi
bash scripts/setup.sh buildah mmdebstrap || { fail "setup: could not install buildah and mmdebstrap"; finish; }

runtime_fill() {
  bounded 900 mmdebstrap --variant=minbase --format=tar --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    "${slim_dpkg_opts[@]}" "$suite" "$1" "${mirrors[@]}"
}
build_fill() {
  bounded 900 mmdebstrap --variant=minbase --format=tar --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --include="$swift_image_packages" "$suite" "$1" "${mirrors[@]}"
}
# The toolchain goes where the official image has it (/usr/bin/swift); the Swift packages come from
# the offline copy, as on this machine.
add_swift() {
  local mnt=$1
  cp -a "$swift_usr/." "$mnt/usr/"
  mkdir -p "$mnt/opt"
  cp -a /opt/swift-packages "$mnt/opt/swift-packages"
  printf '%s' "$gitconfig_for_build" >"$mnt/etc/gitconfig"
}

swift_bin=$(readlink -f "$(command -v swift)")
swift_usr=$(dirname "$(dirname "$swift_bin")")
recipe_runtime=$( { echo "recipe 1"; declare -f runtime_fill; printf '%s\n' "$suite" "${mirrors[@]}" "${slim_dpkg_opts[@]}"; } | sha256sum | cut -c1-16)
packages_digest=$(for repo in /opt/swift-packages/*/*; do
    [ -d "$repo" ] || continue
    echo "$repo"; git -C "$repo" for-each-ref --format='%(objectname) %(refname)' 2>/dev/null
  done | sha256sum | cut -c1-16)
recipe_build=$( { echo "recipe 1"; declare -f build_fill add_swift; printf '%s\n' "$suite" "${mirrors[@]}" "$swift_image_packages" "$gitconfig_for_build" "$packages_digest"; swift --version 2>&1; } | sha256sum | cut -c1-16)

swift_version=$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -1)
[ "$swift_version" = 6.3 ] || note "warning: this machine's Swift is $swift_version; the build base is tagged swift:6.3-bookworm anyway"

mkdir -p "$state/tmp" "$state/logs"
logs="$state/logs"
# buildah keeps its store here and its cache mounts under $TMPDIR, so one folder holds it all.
export TMPDIR="$state/tmp"
buildah_cmd=(buildah --root "$state/storage" --runroot /run/drgw-container-test --storage-driver overlay)
bh() { "${buildah_cmd[@]}" "$@"; }

work=$(mktemp -d "$state/tmp/run.XXXXXX")
containers=()
serve_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$step_pid" ] && kill -0 "$step_pid" 2>/dev/null; then
    kill -TERM "$step_pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$step_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM -- "-$serve_pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$serve_pid" 2>/dev/null
  fi
  local c
  for c in "${containers[@]}"; do bh rm "$c" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "container: interrupted"; exit 130' INT TERM

# One run at a time: the store, the cache mounts and the ports of two runs would collide.
exec 9>"$state/lock"
if ! flock -w "$(left)" 9; then fail "lock: another container test held $state/lock for the whole budget"; finish; fi

# ---------------------------------------------------------------- base images
# make_base NAME TAG RECIPE_HASH BUILD_FUNCTION: makes localhost/drgw-base-NAME:HASH unless it exists,
# then points TAG (the name the Dockerfile uses) at it.
make_base() {
  local name=$1 tag=$2 hash=$3 fill=$4
  local ref="localhost/drgw-base-$name:$hash"
  if bh inspect --type image "$ref" >/dev/null 2>&1; then
    note "base $tag: cached ($ref)"
  else
    local t0; t0=$(date +%s)
    note "base $tag: making $ref from Debian packages (log: $logs/base-$name.log)"
    local rootfs="$work/base-$name.tar"
    if ! "$fill" "$rootfs" >"$logs/base-$name.log" 2>&1; then
      tail -n 20 "$logs/base-$name.log"; return 1
    fi
    local c; c=$(bh from --name "drgw-base-$name-$$" scratch) || return 1
    containers+=("$c")
    local mnt; mnt=$(bh mount "$c") || return 1
    tar -C "$mnt" --numeric-owner -xpf "$rootfs" || return 1
    rm -f "$rootfs"
    if [ "$name" = build ]; then add_swift "$mnt" >>"$logs/base-$name.log" 2>&1 || { tail -n 20 "$logs/base-$name.log"; return 1; }; fi
    bh umount "$c" >/dev/null
    bh config --os linux --arch amd64 --cmd /bin/bash \
      --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --label "drgw.test.base-recipe=$hash" "$c" || return 1
    bh commit --quiet --rm "$c" "$ref" >/dev/null || return 1
    containers=("${containers[@]/$c}")
    # Older recipes of this base are no longer needed.
    bh images --noheading --format '{{.Name}}:{{.Tag}}' "localhost/drgw-base-$name" 2>/dev/null \
      | grep -v ":$hash\$" | while read -r old; do bh rmi "$old" >/dev/null 2>&1; done
    note "base $tag: made in $(( $(date +%s) - t0 ))s"
  fi
  bh tag "$ref" "$tag"
}

if ! make_base runtime docker.io/library/debian:bookworm-slim "$recipe_runtime" runtime_fill; then
  fail "base debian:bookworm-slim could not be made"; finish
fi
if ! make_base build docker.io/library/swift:6.3-bookworm "$recipe_build" build_fill; then
  fail "base swift:6.3-bookworm could not be made"; finish
fi

# ---------------------------------------------------------------- build
note "building Dockerfile (log: $logs/build.log)"
t0=$(date +%s)
cpu0=$(cpu_seconds)
bounded "$(left)" "${buildah_cmd[@]}" build --isolation chroot --pull=never --layers --format docker \
  -f Dockerfile -t "$image" . >"$logs/build.log" 2>&1
build_status=$?
build_seconds=$(( $(date +%s) - t0 ))
build_cpu=$(( $(cpu_seconds) - cpu0 ))
if [ "$build_status" -ne 0 ]; then
  tail -n 40 "$logs/build.log"
  fail "build: buildah build exited $build_status after ${build_seconds}s"
  finish
fi
pass "build: Dockerfile built in ${build_seconds}s (${build_cpu}s of CPU)"

# Dangling layers of earlier builds: drop them once they pile up (the bases are tagged and stay).
if [ "$(bh images --noheading --filter dangling=true 2>/dev/null | wc -l)" -gt 40 ]; then
  bh rmi --prune >/dev/null 2>&1
fi

# ---------------------------------------------------------------- image config
bh inspect --type image "$image" >"$work/image.json" 2>/dev/null
config_report=$(python3 - "$work/image.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
cfg = (doc.get("Docker") or {}).get("config") or {}
problems = []
user = cfg.get("User") or ""
name = user.split(":")[0]
if name in ("", "0", "root"):
    problems.append(f"runs as root (User={user!r})")
health = (cfg.get("Healthcheck") or {}).get("Test") or []
if not health or health[0] not in ("CMD", "CMD-SHELL"):
    problems.append("no HEALTHCHECK")
if (cfg.get("StopSignal") or "") not in ("SIGTERM", "15", "TERM"):
    problems.append(f"StopSignal={cfg.get('StopSignal')!r}")
if "/var/lib/drgw" not in (cfg.get("Volumes") or {}):
    problems.append("no volume /var/lib/drgw")
labels = cfg.get("Labels") or {}
for key in ("title", "description", "version"):
    if not labels.get(f"org.opencontainers.image.{key}"):
        problems.append(f"label org.opencontainers.image.{key} missing")
entry = cfg.get("Entrypoint") or []
print("PROBLEMS " + "; ".join(problems) if problems else "OK")
print("ENTRY " + json.dumps(entry))
print("CMD " + json.dumps(cfg.get("Cmd") or []))
print("HEALTH " + json.dumps(health))
print("USER " + user)
print("ENV " + json.dumps(cfg.get("Env") or []))
EOF
)
entry_json=$(sed -n 's/^ENTRY //p' <<<"$config_report")
health_json=$(sed -n 's/^HEALTH //p' <<<"$config_report")
image_user=$(sed -n 's/^USER //p' <<<"$config_report")
# The entry point as words (a JSON array of plain paths and flags).
mapfile -t entry < <(python3 -c 'import json,sys; [print(w) for w in json.loads(sys.argv[1])]' "${entry_json:-[]}")
if [ "${#entry[@]}" -eq 0 ]; then entry=(/usr/local/bin/drgw); fi
# Docker appends CMD to ENTRYPOINT; with ENTRYPOINT [drgw, serve] the subcommand is already there.
case " ${entry[*]} " in *" serve "*) entry=("${entry[@]/serve}"); mapfile -t entry < <(printf '%s\n' "${entry[@]}" | sed '/^$/d') ;; esac

ctr=$(bh from --pull=never --name "drgw-test-$$" "$image") || { fail "buildah from $image"; finish; }
containers+=("$ctr")
# buildah 1.28's `run` puts a fresh anonymous volume over an image VOLUME even when `-v` names a host
# folder for it (Docker binds the folder): this test container drops the declaration, so that the
# serve step's `-v` reaches the host as with `docker run -v`. The image's config was checked above.
bh config --volume /var/lib/drgw- "$ctr" >/dev/null 2>&1 || true
mnt=$(bh mount "$ctr") || { fail "buildah mount"; finish; }
owner=$(stat -c '%u' "$mnt/var/lib/drgw" 2>/dev/null || echo missing)
if [ "$(head -1 <<<"$config_report")" = OK ] && [ "$owner" != 0 ] && [ "$owner" != missing ]; then
  pass "config: user $image_user, /var/lib/drgw owned by uid $owner, HEALTHCHECK ${health_json}, STOPSIGNAL SIGTERM, OCI labels"
else
  fail "config: $(head -1 <<<"$config_report") (/var/lib/drgw owner: $owner)"
fi

# ---------------------------------------------------------------- runtime libraries, CA bundle, no compiler
# The image has no shell and no ldd: its own dynamic loader lists what the binary resolves to.
ldd_out=$(bounded 60 "${buildah_cmd[@]}" run --isolation chroot "$ctr" -- /lib64/ld-linux-x86-64.so.2 --list "${entry[0]}" 2>&1)
libcurl_so=$(sed -n 's/.*libcurl\.so\.4 => \([^ ]*\).*/\1/p' <<<"$ldd_out" | head -1)
ca=/etc/ssl/certs/ca-certificates.crt
lib_problems=()
grep -q "not found" <<<"$ldd_out" && lib_problems+=("unresolved: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t' ' ' | tr '\n' ';')")
grep -q "libcurl.so.4" <<<"$ldd_out" || lib_problems+=("libcurl not linked")
grep -q "libsqlite3.so.0" <<<"$ldd_out" || lib_problems+=("libsqlite3 not linked")
grep -q "libswift" <<<"$ldd_out" && lib_problems+=("links Swift runtime libraries dynamically")
[ -s "$mnt$ca" ] || lib_problems+=("no CA bundle at $ca")
# libcurl's built-in CA path must be the bundle the image has.
if [ -n "$libcurl_so" ] && ! grep -qa "$ca" "$(readlink -f "$mnt$libcurl_so")"; then
  lib_problems+=("libcurl's default CA bundle is not $ca")
fi
bundles=$(cd "$mnt$(dirname "${entry[0]}")" 2>/dev/null && ls -d ./*.resources 2>/dev/null | sed 's|^\./||' | tr '\n' ' ')
[ -n "$bundles" ] || lib_problems+=("no *.resources bundle next to ${entry[0]}")
if [ "${#lib_problems[@]}" -eq 0 ]; then
  pass "runtime: ldd resolves everything (libcurl $libcurl_so, libsqlite3, no libswift*), CA bundle $(grep -c 'BEGIN CERTIFICATE' "$mnt$ca") certificates, bundles: $bundles"
else
  echo "$ldd_out"
  fail "runtime: ${lib_problems[*]}"
fi

compilers=()
for dir in usr/local/sbin usr/local/bin usr/sbin usr/bin sbin bin; do
  [ -d "$mnt/$dir" ] || continue
  while IFS= read -r -d '' f; do compilers+=("/${f#"$mnt/"}"); done < <(find "$mnt/$dir" -maxdepth 1 \
    \( -name swift -o -name 'swiftc' -o -name 'swift-frontend' -o -name 'swift-build' -o -name 'clang' -o -name 'clang-[0-9]*' \
       -o -name 'clang++' -o -name gcc -o -name 'gcc-[0-9]*' -o -name 'cc' -o -name 'c++' -o -name 'g++' -o -name 'g++-[0-9]*' \
       -o -name 'x86_64-linux-gnu-gcc*' -o -name cpp -o -name 'ld' -o -name 'ld.bfd' -o -name 'ld.gold' -o -name 'ld.lld' -o -name tcc \) -print0)
done
while IFS= read -r -d '' f; do compilers+=("/${f#"$mnt/"}"); done < <(find "$mnt/usr/lib" "$mnt/usr/libexec" -name cc1 -print0 2>/dev/null)
if [ "${#compilers[@]}" -eq 0 ]; then
  pass "no compiler: none of swift, swiftc, clang, gcc, cc, c++, cpp, ld, cc1 in the image"
else
  fail "no compiler: found ${compilers[*]}"
fi

# ---------------------------------------------------------------- demo round trip
note "demo: ${entry[*]} demo --round-trip --port 0 (as $image_user)"
bounded 240 "${buildah_cmd[@]}" run --isolation chroot "$ctr" -- "${entry[@]}" demo --round-trip --port 0 >"$logs/demo.log" 2>&1
demo_status=$?
# buildah runs it as the image's user (numeric, checked above); the serve step below reads the
# running process's uids from /proc.
demo_uid=${image_user%%:*}
if [ "$demo_status" -eq 0 ] && [ -n "$demo_uid" ] && [ "$demo_uid" != 0 ]; then
  pass "demo: round trip exited 0 as uid $demo_uid ($(grep -ciE 'round trip|round-trip' "$logs/demo.log") round-trip lines)"
  tail -n 4 "$logs/demo.log" | sed 's/^/    /'
else
  tail -n 30 "$logs/demo.log"
  fail "demo: exit $demo_status, uid '${demo_uid}'"
fi

# ---------------------------------------------------------------- serve
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="container-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
key_hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
mkdir -p "$work/etc" "$work/data"
cat >"$work/etc/drgw.yaml" <<EOF
server:
  host: 127.0.0.1
  port: 8080
store:
  url: sqlite:///var/lib/drgw/drgw.sqlite
tenants:
  - name: platform
    apiKeySha256: ["$key_hash"]
    accounts: [hw-prod]
accounts:
  - id: hw-prod
    provider: huawei-sdrs
    region: ap-southeast-3
    projectId: 0605767a3300d5762fb7c0186d9e1779
    endpoint: http://127.0.0.1:9
    credentials:
      accessKeyEnv: HW_AK
      secretKeyEnv: HW_SK
EOF
chmod 0644 "$work/etc/drgw.yaml"
# The volume as Docker makes a named one: owned by the image's user.
chown "$owner:$owner" "$work/data" 2>/dev/null
# With chroot isolation the container shares the host's network: DRGW_HOST/DRGW_PORT (which win
# over the file) keep it on loopback and a free port.
run_env=(-e DRGW_HOST=127.0.0.1 -e "DRGW_PORT=$port" -e HW_AK=container-test-ak -e HW_SK=container-test-sk)
note "serve: 127.0.0.1:$port, config mounted at /etc/drgw, volume $work/data at /var/lib/drgw"
setsid "${buildah_cmd[@]}" \
  run --isolation chroot "${run_env[@]}" -v "$work/etc:/etc/drgw:ro" -v "$work/data:/var/lib/drgw" "$ctr" -- "${entry[@]}" serve \
  >"$logs/serve.log" 2>&1 &
serve_pid=$!

# http PATH [KEY]: prints "STATUS BODY" (status 000 when nothing answers).
http() {
  local auth=()
  [ -n "${2:-}" ] && auth=(-H "Authorization: Bearer $2")
  curl -s -m 5 -o "$work/body" -w '%{http_code}' "${auth[@]}" "http://127.0.0.1:$port$1" 2>/dev/null
  printf ' %s' "$(head -c 300 "$work/body" 2>/dev/null | tr -d '\n')"
}
up=0
for _ in $(seq 1 120); do
  kill -0 "$serve_pid" 2>/dev/null || break
  [ "$(http /healthz | cut -d' ' -f1)" = 200 ] && { up=1; break; }
  sleep 0.5
done
# descendants PID: every process below PID.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$child"; descendants "$child"; done
}
drgw_pid=""
for p in $(descendants "$serve_pid"); do
  if [ "$(readlink "/proc/$p/root" 2>/dev/null)" != / ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = drgw ]; then drgw_pid=$p; fi
done
if [ "$up" = 1 ]; then
  healthz=$(http /healthz); readyz=$(http /readyz); openapi=$(http /openapi.json); accounts=$(http /v1/accounts "$key"); anonymous=$(http /v1/accounts)
  uids=$( [ -n "$drgw_pid" ] && awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$drgw_pid/status")
  problems=()
  [ "${healthz%% *}" = 200 ] && grep -q '"ok"' <<<"$healthz" || problems+=("/healthz: $healthz")
  [ "${readyz%% *}" = 200 ] || problems+=("/readyz: $readyz")
  [ "${openapi%% *}" = 200 ] && grep -q '"openapi"' <<<"$openapi" || problems+=("/openapi.json: ${openapi:0:80}")
  [ "${accounts%% *}" = 200 ] && grep -q 'hw-prod' <<<"$accounts" || problems+=("/v1/accounts: $accounts")
  [ "${anonymous%% *}" = 401 ] || problems+=("/v1/accounts without a key: ${anonymous%% *}")
  if [ -z "$uids" ]; then problems+=("drgw process not found below buildah run $serve_pid")
  else for u in $uids; do [ "$u" != 0 ] || problems+=("process uid/euid is 0 ($uids)"); done; fi
  [ -s "$work/data/drgw.sqlite" ] || problems+=("no drgw.sqlite in the volume (it holds: $(ls -A "$work/data" | tr '\n' ' '))")
  if [ "${#problems[@]}" -eq 0 ]; then
    pass "serve: /healthz ${healthz}, /readyz ${readyz%% *}, /openapi.json ${openapi%% *}, /v1/accounts ${accounts%% *} (401 without key), pid $drgw_pid uids $uids, store in the volume"
  else
    fail "serve: ${problems[*]}"
  fi
else
  tail -n 30 "$logs/serve.log"
  fail "serve: no 200 from http://127.0.0.1:$port/healthz within 60s"
fi

# The image's HEALTHCHECK, run in the container as Docker would (the same network and environment).
mapfile -t health < <(python3 -c '
import json, sys
t = json.loads(sys.argv[1] or "[]")
if t and t[0] == "CMD": print("\n".join(t[1:]))
elif t and t[0] == "CMD-SHELL": print("/bin/sh\n-c\n" + t[1])' "${health_json:-[]}")
healthcheck() { bounded 30 "${buildah_cmd[@]}" run --isolation chroot "${run_env[@]}" "$ctr" -- "${health[@]}" >>"$logs/healthcheck.log" 2>&1; }
: >"$logs/healthcheck.log"
health_up=1; [ "${#health[@]}" -gt 0 ] && { healthcheck; health_up=$?; }

# Graceful stop: SIGTERM (the image's STOPSIGNAL) to the gateway; it must end 0 and say so.
stop_status=none
if [ -n "$drgw_pid" ]; then
  kill -TERM "$drgw_pid"
  for _ in $(seq 1 40); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$serve_pid" 2>/dev/null; then stop_status=timeout; else wait "$serve_pid"; stop_status=$?; fi
fi
health_down=0; [ "${#health[@]}" -gt 0 ] && { healthcheck; health_down=$?; }
if [ "$health_up" = 0 ] && [ "$health_down" != 0 ]; then
  pass "healthcheck: '${health[*]}' exit 0 while serving, exit $health_down once stopped"
else
  cat "$logs/healthcheck.log"
  fail "healthcheck: '${health[*]}' exit $health_up while serving (want 0), $health_down once stopped (want non-zero)"
fi
if [ "$stop_status" = 0 ] && grep -q "drgw stopped" "$logs/serve.log"; then
  pass "stop: SIGTERM ended drgw with exit 0 ('drgw stopped' logged)"
else
  tail -n 10 "$logs/serve.log"
  fail "stop: exit status after SIGTERM: $stop_status"
fi
[ "$stop_status" != timeout ] && serve_pid=""

# ---------------------------------------------------------------- size
size_bytes=$(du -sxb "$mnt" | cut -f1)
size_mb=$(( (size_bytes + 999999) / 1000000 ))
binary_mb=$(( ($(stat -c %s "$mnt${entry[0]}") + 999999) / 1000000 ))
bh umount "$ctr" >/dev/null 2>&1
compressed=""
if bounded 120 "${buildah_cmd[@]}" push --quiet "$image" "oci-archive:$work/image.tar" >/dev/null 2>&1; then
  compressed=", $(( ($(stat -c %s "$work/image.tar") + 999999) / 1000000 )) MB compressed"
  rm -f "$work/image.tar"
fi
if [ "$size_mb" -le "$max_mb" ]; then
  pass "size: ${size_mb} MB uncompressed (limit ${max_mb} MB; drgw binary ${binary_mb} MB${compressed})"
else
  fail "size: ${size_mb} MB uncompressed is over ${max_mb} MB (drgw binary ${binary_mb} MB${compressed})"
fi
finish
}
main "$@"
