# Reference fix: roll back to the last release that old clients can use; verify an order goes through.
bin/deploy rollback 2.7.3
curl -s -X POST -H 'Content-Type: application/json' -d '{"customer_email": "oncall@example.com", "items": [{"product_id": 1, "quantity": 1}]}' http://127.0.0.1:8080/api/v1/orders
