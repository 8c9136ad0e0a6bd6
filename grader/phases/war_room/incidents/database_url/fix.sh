# Reference fix: point the service back at the production database; restart; verify.
sed -i 's#^url = sqlite:///data/shop_staging.db$#url = sqlite:///data/shop.db#' config/service.ini
bin/service restart
curl -s http://127.0.0.1:8080/health
