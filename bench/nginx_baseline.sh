# Sourced by the HTTP benchmarks: writes an nginx configuration for the baseline server — one
# worker, keep-alive, no access log, `return 200` with the same body as /health/live.
# Usage: nginx_conf DIR PORT; then: nginx -p DIR -c DIR/nginx.conf
nginx_conf() {
  local dir=$1 port=$2
  mkdir -p "$dir/logs"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process on;
user root;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type application/json;
      return 200 '{"status":"alive"}';
    }
  }
}
CONF
}
