#!/usr/bin/env python3
"""Turns what the sidecar sent PostgreSQL for one request into a pgbench script.

Reads PostgreSQL's JSON log (log_destination=jsonlog, log_statement=all) from
a byte offset, keeps the statements the sidecar's connections executed
(application_name 'dynapi', extended protocol: "execute <name>: <sql>" with
"parameters: $1 = '...'" in the detail), and writes

  OUT/NAME.sql   the statements between \\startpipeline and \\endpipeline, as
                 the sidecar sends them (one pipeline, one Sync, one implicit
                 transaction), each $n replaced by a pgbench variable so that
                 `pgbench -M prepared` binds it as a parameter the same way;
  OUT/NAME.vars  the variables' captured values, one NAME=VALUE a line, for -D.

--vary VALUE=VAR:EXPR replaces the parameter whose captured value is VALUE by
:VAR, set per transaction with \\set VAR EXPR (R1's random id). Prints the
captured statements and their parameters.

    capture-sql.py --log FILE --offset BYTES --name r1 --out DIR [--vary 7777=id:random(1,10000)]
"""
import argparse
import json
import os
import re
import sys

PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def read_statements(path, offset):
    """(pid, sql, {n: value}) of each statement the sidecar executed after offset."""
    statements = []
    with open(path, "rb") as log:
        log.seek(offset)
        for line in log:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("application_name") != "dynapi":
                continue
            message = entry.get("message", "")
            match = re.match(r"execute [^:]+: (.*)\Z", message, re.S)
            if not match:
                continue  # e.g. "statement: SET TimeZone TO 'UTC'" on a new connection
            values = {}
            detail = entry.get("detail", "")
            if detail.lower().startswith("parameters: "):
                for number, value in PARAMETER.findall(detail):
                    values[int(number)] = None if value == "NULL" else value[1:-1].replace("''", "'")
            statements.append((entry.get("pid"), match.group(1), values))
    return statements


def replace_parameters(sql, name_of):
    """sql with each $n outside literals, quoted names and dollar quotes replaced by name_of(n)."""
    out = []
    i = 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < len(sql):
                if sql[end] == c:
                    if end + 1 < len(sql) and sql[end + 1] == c:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1])
            i = end + 1
        elif c == "$":
            number = re.match(r"\$(\d+)", sql[i:])
            tag = re.match(r"\$[A-Za-z_]*\$", sql[i:])
            if number:
                out.append(name_of(int(number.group(1))))
                i += len(number.group(0))
            elif tag:
                end = sql.find(tag.group(0), i + len(tag.group(0)))
                end = len(sql) if end < 0 else end + len(tag.group(0))
                out.append(sql[i:end])
                i = end
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def stray_colon_variable(sql):
    """A ':name' pgbench would take for a variable (it skips '::' casts), outside our own."""
    for match in re.finditer(r"(?<!:):([A-Za-z0-9_]+)", sql):
        if not match.group(1).startswith("v_"):
            return match.group(0)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--name", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--vary", action="append", default=[], help="VALUE=VAR:EXPR")
    args = parser.parse_args()

    statements = read_statements(args.log, args.offset)
    if not statements:
        sys.exit(f"{args.name}: no statement of the sidecar found in {args.log} after byte {args.offset}")
    pids = {pid for pid, _, _ in statements}
    if len(pids) > 1:
        sys.exit(f"{args.name}: statements from {len(pids)} sidecar connections in the window; cannot tell the request's apart:\n"
                 + "\n".join(f"  pid {pid}: {sql}" for pid, sql, _ in statements))

    varied = {}
    for spec in args.vary:
        value, _, rest = spec.partition("=")
        variable, _, expression = rest.partition(":")
        varied[value] = (variable, expression)

    script = [f"-- {args.name}: what the sidecar sent for one request, captured from PostgreSQL's log",
              "-- (regenerated on every run; see Deploy/bench/capture-sql.py)"]
    variables = {}
    used_varied = set()
    body = []
    for index, (_, sql, values) in enumerate(statements, start=1):
        def name_of(number):
            value = values.get(number)
            if value in varied:
                used_varied.add(value)
                return ":v_" + varied[value][0]
            if value is None:
                return "NULL"
            if "\n" in value:
                sys.exit(f"{args.name}: parameter ${number} holds a newline, which pgbench -D cannot carry")
            variable = f"v_s{index}_p{number}"
            variables[variable] = value
            return ":" + variable
        text = replace_parameters(sql, name_of).rstrip().rstrip(";")
        stray = stray_colon_variable(text)
        if stray:
            sys.exit(f"{args.name}: pgbench would read {stray!r} in the statement as a variable:\n{sql}")
        body.append(text + ";")
    for value in varied:
        if value not in used_varied:
            sys.exit(f"{args.name}: no parameter had the value {value!r} to vary; parameters were: "
                     + "; ".join(str(values) for _, _, values in statements))
    for value, (variable, expression) in varied.items():
        script.append(f"\\set v_{variable} {expression}")
    script.append("\\startpipeline")
    script.extend(body)
    script.append("\\endpipeline")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, args.name + ".sql"), "w") as out:
        out.write("\n".join(script) + "\n")
    with open(os.path.join(args.out, args.name + ".vars"), "w") as out:
        for variable, value in variables.items():
            out.write(f"{variable}={value}\n")

    for index, (_, sql, values) in enumerate(statements, start=1):
        print(f"  [{index}] {sql}")
        if values:
            print("      " + ", ".join(f"${n} = {values[n]!r}" for n in sorted(values)))


if __name__ == "__main__":
    main()
