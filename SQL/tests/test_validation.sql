-- 0010: dynapi.reject, used from a real BEFORE trigger the way an
-- application would, with every field of the error checked.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(23);

-- pg_temp.error_of(sql): the fields of the error a statement fails with
-- (throws_ok checks only SQLSTATE and message).
\ir support/errors.sql

SELECT has_function('dynapi', 'reject', ARRAY['text', 'text', 'text']);
SELECT function_returns('dynapi', 'reject', ARRAY['text', 'text', 'text'], 'void');
SELECT isnt_definer('dynapi', 'reject', ARRAY['text', 'text', 'text']);
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE oid = 'dynapi.reject(text, text, text)'::regprocedure),
          1::int2, 'hint is optional');
SELECT ok(EXISTS (SELECT 1 FROM pg_proc AS p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                   WHERE p.oid = 'dynapi.reject(text, text, text)'::regprocedure
                     AND a.grantee = 0 AND a.privilege_type = 'EXECUTE'),
          'EXECUTE is granted to PUBLIC');
SELECT ok(obj_description('dynapi.reject(text, text, text)'::regprocedure, 'pg_proc') IS NOT NULL, 'reject is documented');

-- An application table with a validation trigger.
CREATE TABLE public.dynapi_test_product (id serial PRIMARY KEY, name text, price numeric, stock int);
CREATE FUNCTION public.dynapi_test_product_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.price <= 0 THEN
        PERFORM dynapi.reject('price', 'Le prix doit être positif.');
    END IF;
    IF NEW.stock < 0 THEN
        PERFORM dynapi.reject('stock', 'Stock cannot be negative.', 'Use 0 for out of stock.');
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER dynapi_test_product_check BEFORE INSERT OR UPDATE ON public.dynapi_test_product
    FOR EACH ROW EXECUTE FUNCTION public.dynapi_test_product_check();

SELECT lives_ok($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('ok', 10, 1)$$,
                'a valid row is written');
SELECT throws_ok($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('free', 0, 1)$$,
                 'P0001', 'Le prix doit être positif.', 'a BEFORE INSERT trigger refuses with P0001 and the message');
SELECT is(pg_temp.error_of($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('free', 0, 1)$$)
              - 'detail',
          '{"sqlstate": "P0001", "message": "Le prix doit être positif.", "column": "price", "hint": null}'::jsonb,
          '... the field is in COLUMN, no HINT when none is given');
SELECT is(pg_temp.error_of($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('x', 5, -1)$$)
              - 'detail',
          '{"sqlstate": "P0001", "message": "Stock cannot be negative.", "column": "stock", "hint": "Use 0 for out of stock."}'::jsonb,
          '... and the hint in HINT when given');
SELECT is(pg_temp.error_of($$UPDATE public.dynapi_test_product SET price = -3 WHERE name = 'ok'$$) ->> 'column',
          'price', 'a BEFORE UPDATE trigger refuses the same way');
SELECT is(pg_temp.error_of($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('x', 5, -1)$$) ->> 'detail',
          NULL, 'no DETAIL');
SELECT results_eq('SELECT name, price FROM public.dynapi_test_product', $$VALUES ('ok'::text, 10::numeric)$$,
                  'refused writes changed nothing');

-- Outside a trigger it raises all the same.
SELECT throws_ok($$SELECT dynapi.reject('email', 'Adresse déjà utilisée.')$$, 'P0001', 'Adresse déjà utilisée.',
                 'called directly, reject raises P0001');
SELECT is(pg_temp.error_of($$SELECT dynapi.reject('a b', E'line 1\nline "2"', '')$$) - 'detail',
          jsonb_build_object('sqlstate', 'P0001', 'message', E'line 1\nline "2"', 'column', 'a b', 'hint', NULL),
          'field and message are passed through as they are (an empty hint is no hint)');

-- Refusals of bad calls
SELECT throws_ok($$SELECT dynapi.reject(NULL, 'x')$$, '22023', NULL, 'a NULL field is refused with 22023');
SELECT throws_ok($$SELECT dynapi.reject('', 'x')$$, '22023', NULL, 'an empty field is refused with 22023');
SELECT throws_ok($$SELECT dynapi.reject('price', NULL)$$, '22023', 'dynapi.reject: message must not be NULL',
                 'a NULL message is refused with 22023');
SELECT is(pg_temp.error_of($$SELECT dynapi.reject(NULL, 'x')$$) ->> 'column', NULL,
          '... and such a refusal names no column (it is not a field error)');
SELECT is(pg_temp.error_of($$SELECT dynapi.reject('', 'x')$$) ->> 'message',
          'dynapi.reject: field must name the input that is refused, got ""', '... and says what it got');
SELECT is(pg_temp.error_of($$SELECT dynapi.reject('price', 'x', NULL)$$) - 'detail',
          '{"sqlstate": "P0001", "message": "x", "column": "price", "hint": null}'::jsonb,
          'an explicit NULL hint is no hint');

-- Writers run the trigger with their own rights: PUBLIC's EXECUTE is enough.
CREATE ROLE dynapi_test_writer NOLOGIN;
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_writer;
GRANT INSERT, SELECT ON public.dynapi_test_product TO dynapi_test_writer;
GRANT USAGE ON SEQUENCE public.dynapi_test_product_id_seq TO dynapi_test_writer;
SET LOCAL ROLE dynapi_test_writer;
SELECT throws_ok($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('w', -1, 0)$$,
                 'P0001', 'Le prix doit être positif.', 'a role with only table rights and USAGE on dynapi is refused the same way');
SELECT lives_ok($$INSERT INTO public.dynapi_test_product (name, price, stock) VALUES ('w', 1, 0)$$,
                '... and can write valid rows');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
