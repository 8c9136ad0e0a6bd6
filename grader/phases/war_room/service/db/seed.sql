-- Production data as of the last backup (anonymised for the on-call exercise).
INSERT INTO products (id, sku, name, price_cents, stock) VALUES
    (1, 'NW-TENT-2P', 'Ridgeline 2-person tent', 18900, 14),
    (2, 'NW-BAG-M10', 'Alpine sleeping bag -10C', 12450, 32),
    (3, 'NW-STOVE-G', 'Gas camping stove', 4599, 0),
    (4, 'NW-LAMP-H3', 'Headlamp 300 lumen', 2999, 120),
    (5, 'NW-PACK-45', 'Trail backpack 45 L', 9900, 18),
    (6, 'NW-BOTL-1L', 'Insulated bottle 1 L', 2450, 260),
    (7, 'NW-MAT-INF', 'Inflatable sleeping mat', 6900, 7),
    (8, 'NW-JKT-RN', 'Rain shell jacket', 15900, 41);

INSERT INTO customers (id, email, name, created_at) VALUES
    (1, 'ana.silva@example.com', 'Ana Silva', '2024-11-02T10:14:00Z'),
    (2, 'j.okafor@example.com', 'James Okafor', '2024-12-19T08:40:00Z'),
    (3, 'mei.tanaka@example.com', 'Mei Tanaka', '2025-01-07T21:03:00Z'),
    (4, 'lars.berg@example.com', 'Lars Berg', '2025-02-11T16:27:00Z'),
    (5, 'priya.n@example.com', 'Priya Natarajan', '2025-02-28T12:55:00Z'),
    (6, 'tom.reyes@example.com', 'Tom Reyes', '2025-03-09T19:12:00Z');

INSERT INTO orders (id, customer_id, created_at, status, total_cents) VALUES
    (1, 1, '2025-03-10T09:12:00Z', 'shipped', 21899),
    (2, 2, '2025-03-11T14:30:00Z', 'shipped', 12450),
    (3, 3, '2025-03-12T18:02:00Z', 'paid', 17250),
    (4, 4, '2025-03-13T07:45:00Z', 'paid', 15900),
    (5, 5, '2025-03-13T20:11:00Z', 'paid', 4900),
    (6, 6, '2025-03-13T23:58:00Z', 'paid', 9900);

INSERT INTO order_items (order_id, product_id, quantity, price_cents) VALUES
    (1, 1, 1, 18900), (1, 4, 1, 2999),
    (2, 2, 1, 12450),
    (3, 5, 1, 9900), (3, 6, 3, 2450),
    (4, 8, 1, 15900),
    (5, 6, 2, 2450),
    (6, 5, 1, 9900);
