"""The tagger's first pass is a small C extension (timeline/_scan.c); everything else is in
pyproject.toml. `optional=True`: without a C compiler the build goes on and the tagger uses the same
pass in pure Python (timeline.tagger._split_classify_py), slower, with the same results."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("timeline._scan", ["timeline/_scan.c"], optional=True,
                             extra_compile_args=["-O2"])])
