"""The one compiled part: the allocation passes of a small group (designer/engine/_allocate.c).

Everything else is declared in pyproject.toml. The extension is optional: where no C
compiler is found the install goes on without it and the engine runs the same passes in
numpy (the same results, bit for bit; about 1.7 ms slower per edit on a 1M-chip hall)."""

import platform

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":   # GCC and Clang: round every operation as numpy does
            flags = ["-O2", "-ffp-contract=off", "-fno-fast-math"]
            if platform.machine().lower() in ("i386", "i486", "i586", "i686", "x86"):
                flags += ["-msse2", "-mfpmath=sse"]   # (doubles, not the x87's 80-bit registers)
            for ext in self.extensions:
                ext.extra_compile_args += flags
        super().build_extensions()


setup(ext_modules=[Extension("designer.engine._allocate", ["designer/engine/_allocate.c"], optional=True)],
      cmdclass={"build_ext": BuildExt})
