BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(9);

SELECT has_function('dynapi', 'csv_field', ARRAY['text'], 'dynapi.csv_field(text) exists');
SELECT is(dynapi.csv_field(NULL), '', 'NULL is an empty field');
SELECT is(dynapi.csv_field('plain'), 'plain', 'plain text stays as it is');
SELECT is(dynapi.csv_field('a,b'), '"a,b"', 'a comma makes the field quoted');
SELECT is(dynapi.csv_field('say "hi"'), '"say ""hi"""', 'quotes are doubled inside quotes');
SELECT is(dynapi.csv_field(E'two\nlines'), E'"two\nlines"', 'a line break makes the field quoted');
SELECT volatility_is('dynapi', 'csv_field', ARRAY['text'], 'immutable', 'csv_field is immutable, so it can be inlined');

SELECT throws_ok($$SELECT dynapi.singular_failure(2)$$, 'PT406',
    'JSON object requested, multiple (or no) rows returned', 'singular_failure raises PT406');
SELECT throws_like($$SELECT dynapi.singular_failure(0)$$, '%multiple (or no) rows%', 'and says so for zero rows too');

SELECT * FROM finish();
ROLLBACK;
