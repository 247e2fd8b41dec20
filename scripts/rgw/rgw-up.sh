#!/usr/bin/env bash
# Starts a throwaway single-node Ceph RADOS Gateway on 127.0.0.1 for S3 integration tests:
# one monitor, one OSD whose data lives in memory (memstore), and radosgw with the beast
# frontend. Everything (config, pids, logs, sockets) lives under DIR, so rgw-down.sh DIR
# removes every trace. No cephx: the cluster only listens on loopback.
#
# usage: scripts/rgw/rgw-up.sh DIR
# env:   RGW_PORT (7480) MON_PORT (6789) RGW_BUCKET (lancet-test)
#        RGW_ACCESS_KEY (lancet) RGW_SECRET_KEY (lancet-secret) RGW_WAIT_SECONDS (90)
# out:   DIR/env, a file of `export` lines (LANCET_S3_*, AWS_*) to source; the endpoint on stdout.
set -euo pipefail

DIR=${1:?usage: rgw-up.sh DIR}
# A port is free when nothing accepts a connection on it.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free_port() {
  local p
  for p in $(seq "$1" $(($1 + 50))); do port_free "$p" && { echo "$p"; return 0; }; done
  return 1
}
# Defaults move past ports already taken (say, by another instance); explicit ports do not.
RGW_PORT=${RGW_PORT:-$(first_free_port 7480)}
MON_PORT=${MON_PORT:-$(first_free_port 6789)}
BUCKET=${RGW_BUCKET:-lancet-test}
ACCESS_KEY=${RGW_ACCESS_KEY:-lancet}
SECRET_KEY=${RGW_SECRET_KEY:-lancet-secret}
WAIT=${RGW_WAIT_SECONDS:-90}
ENDPOINT="http://127.0.0.1:$RGW_PORT"
HERE=$(cd "$(dirname "$0")" && pwd)

say() { echo "rgw-up: $*" >&2; }
die() {
  say "FAILED: $*"
  for f in "$DIR"/log/*.log; do [ -f "$f" ] && { say "--- tail of $f"; tail -n 20 "$f" >&2; }; done
  # Leave no half-started daemons behind (they would hold the ports for the next attempt).
  bash "$HERE/rgw-down.sh" "$DIR" >&2 || true
  exit 1
}

# Debian ships Ceph 16 (pacific); install only what is missing so reruns cost nothing.
if ! command -v radosgw >/dev/null || ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null; then
  say "installing radosgw ceph-mon ceph-osd"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update"
  apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >/dev/null || die "apt-get install"
fi
command -v curl >/dev/null || die "curl is required"

port_free "$RGW_PORT" || die "port $RGW_PORT is taken"
port_free "$MON_PORT" || die "port $MON_PORT is taken"

rm -rf "$DIR"
mkdir -p "$DIR"/{run,log,mon/a,osd/0}
DIR=$(cd "$DIR" && pwd)
CONF="$DIR/ceph.conf"
FSID=$(cat /proc/sys/kernel/random/uuid)
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)

cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon_host = v1:127.0.0.1:$MON_PORT
# msgr2 would need a second port and brings nothing on loopback.
ms_bind_msgr2 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
run_dir = $DIR/run
pid_file = $DIR/run/\$name.pid
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
keyring = $DIR/keyring
# One OSD: pools must accept a single replica and few placement groups.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
# The OSD is placed in the CRUSH map below; letting it also do so itself at boot races the
# monmap fetch and intermittently fails with "wrong fsid".
osd_crush_update_on_start = false
osd_class_update_on_start = false
[mon.a]
mon_data = $DIR/mon/a
[osd.0]
osd_data = $DIR/osd/0
osd_objectstore = memstore
memstore_device_bytes = 2147483648
[client.rgw.a]
# tcp_nodelay: some clients saw ~40 ms delayed-ACK stalls on small ranged GETs without it
# (the SDK client here did not, measured); it costs nothing.
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
CONF

ceph() { command ceph -c "$CONF" --connect-timeout 15 "$@"; }
# A freshly started monitor briefly rejects commands ("wrong fsid"); they are idempotent here,
# so retry each a bounded number of times.
retry() {
  local n
  for n in 1 2 3 4 5 6 7 8 9 10; do "$@" && return 0; sleep 1; done
  return 1
}

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
# --addv with an explicit v1 address: on a port other than 6789 monmaptool would assume msgr2.
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring" || die "ceph-mon --mkfs"
ceph-mon -c "$CONF" -i a || die "ceph-mon start"

retry ceph osd new "$OSD_UUID" >/dev/null 2>&1 || die "ceph osd new"
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1 || die "ceph-osd --mkfs"
retry ceph osd crush add-bucket localhost host >/dev/null 2>&1 || die "crush add-bucket"
retry ceph osd crush move localhost root=default >/dev/null 2>&1 || die "crush move"
retry ceph osd crush add osd.0 1.0 host=localhost >/dev/null 2>&1 || die "crush add osd.0"
retry ceph-osd -c "$CONF" -i 0 >/dev/null 2>&1 || die "ceph-osd start"
radosgw -c "$CONF" -n client.rgw.a || die "radosgw start"

deadline=$((SECONDS + WAIT))
until curl -s -o /dev/null "$ENDPOINT/"; do
  [ $SECONDS -lt $deadline ] || die "radosgw did not answer on $ENDPOINT within ${WAIT}s"
  sleep 0.5
done

radosgw-admin -c "$CONF" user create --uid=lancet --display-name=lancet \
  --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null || die "radosgw-admin user create"

# curl signs with SigV4 itself, so no SDK is needed to make the bucket. radosgw wants the
# payload hash header, which this curl does not add on its own (it is the hash of "").
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
until code=$(curl -s -o "$DIR/log/create-bucket.out" -w '%{http_code}' -X PUT \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: $EMPTY_SHA256" "$ENDPOINT/$BUCKET") \
    && [ "$code" = 200 ]; do
  [ $SECONDS -lt $deadline ] || die "create bucket $BUCKET: HTTP $code $(cat "$DIR/log/create-bucket.out")"
  sleep 0.5
done

cat >"$DIR/env" <<ENV
export LANCET_S3_ENDPOINT=$ENDPOINT
export LANCET_S3_BUCKET=$BUCKET
export LANCET_S3_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=us-east-1
ENV
say "radosgw up at $ENDPOINT, bucket $BUCKET (${SECONDS}s); stop with scripts/rgw/rgw-down.sh $DIR"
echo "$ENDPOINT"
