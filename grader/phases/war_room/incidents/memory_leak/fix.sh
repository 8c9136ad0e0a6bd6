# Reference fix: bound the product page cache again (100 pages = about 250 MB); restart; verify.
sed -i 's/^max_entries = 0$/max_entries = 100/' config/service.ini
bin/service restart
curl -s http://127.0.0.1:8080/health
