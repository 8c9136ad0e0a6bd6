# Reference fix: the route prefix loses its trailing slash; restart so the service loads it; verify.
sed -i 's#^route_prefix = /api/v1/$#route_prefix = /api/v1#' config/service.ini
bin/service restart
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:8080/api/v1/products
