#!/usr/bin/env python3
"""Regenerates Sources/DynAPICore/Passwords/common-passwords.txt from
Django's list of 20,000 common passwords (django/contrib/auth/common-passwords.txt.gz,
BSD licence, compiled by Royce Williams), so that DynAPI refuses the same
passwords Django's CommonPasswordValidator does.

    pip download django==5.2 --no-deps -d /tmp/django && python3 Deploy/tools/generate-common-passwords.py /tmp/django/Django-5.2-py3-none-any.whl

The file is a data resource of DynAPICore (`.embedInCode` in Package.swift),
compiled into the binary once per clean build and read into a set on first use.
"""
import gzip
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
text = gzip.decompress(wheel.read("django/contrib/auth/common-passwords.txt.gz")).decode()
words = [line.strip() for line in text.splitlines() if line.strip()]
with open("Sources/DynAPICore/Passwords/common-passwords.txt", "w") as out:
    out.write("\n".join(words) + "\n")
print(len(words), "passwords")
