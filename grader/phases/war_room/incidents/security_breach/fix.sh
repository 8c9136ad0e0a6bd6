# Reference fix: a new admin token (the old one is public), the debug override off, auth kept; restart; verify.
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
sed -i "s/^admin_token = .*/admin_token = $token/" config/service.ini
sed -i 's/^allow_override = true$/allow_override = false/' config/service.ini
bin/service restart
curl -s -o /dev/null -w '%{http_code}\n' 'http://127.0.0.1:8080/admin/customers?debug=1'
