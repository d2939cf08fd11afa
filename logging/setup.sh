#!/bin/sh
# One-shot setup of the log stack (compose service elk-setup): ILM policy, index template, Kibana
# saved objects. Idempotent: every call overwrites.
set -eu
ES="${ELASTICSEARCH_URL:-http://elasticsearch:9200}"
KIBANA="${KIBANA_URL:-http://kibana:5601}"
# The compose stack runs Elasticsearch without security (local development only); against a
# secured cluster set CURL_AUTH=user:password.
AUTH="${CURL_AUTH:-}"
auth() { if [ -n "$AUTH" ]; then echo "-u $AUTH"; fi; }

until curl -fsS $(auth) "$ES/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do sleep 2; done
curl -fsS $(auth) -X PUT "$ES/_ilm/policy/cryoprotect-logs" -H 'content-type: application/json' \
  -d @/setup/elasticsearch/ilm-policy.json
curl -fsS $(auth) -X PUT "$ES/_index_template/cryoprotect-logs" -H 'content-type: application/json' \
  -d @/setup/elasticsearch/index-template.json

until curl -fsS $(auth) "$KIBANA/api/status" >/dev/null; do sleep 3; done
curl -fsS $(auth) -X POST "$KIBANA/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: true' \
  --form file=@/setup/kibana/saved-objects.ndjson
echo "log stack ready"
