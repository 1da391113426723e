-- The demo schema of `dynapi dev`: a small shop. Runs once, into a new database.
CREATE TABLE customer (
    id         serial PRIMARY KEY,
    name       varchar(100) NOT NULL,
    email      varchar(255),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product (
    id    serial PRIMARY KEY,
    name  varchar(100) NOT NULL UNIQUE,
    price numeric(10, 2) NOT NULL CHECK (price >= 0),
    stock integer NOT NULL DEFAULT 0
);

CREATE TABLE "order" (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customer (id),
    status      varchar(50) NOT NULL DEFAULT 'pending',
    total       numeric(10, 2),
    created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO customer (name, email)
SELECT 'Customer ' || n, 'customer' || n || '@example.com' FROM generate_series(1, 20) AS n;

INSERT INTO product (name, price, stock) VALUES
    ('Notebook', 4.50, 120), ('Pen', 1.20, 500), ('Backpack', 39.90, 15),
    ('Stapler', 12.00, 40), ('Desk lamp', 24.75, 8);

INSERT INTO "order" (customer_id, status, total)
SELECT 1 + (n % 20), (ARRAY['pending', 'paid', 'shipped'])[1 + n % 3], round((10 + n * 3.7)::numeric, 2)
FROM generate_series(1, 50) AS n;
