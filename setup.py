"""Only for Python 3.6: hands pyproject.toml's [project] table to setup().

setuptools 61 and later read pyproject.toml themselves, and there this file only
calls setup(). Python 3.6 tops out at setuptools 59.6, which reads no [project]
table; pyproject.toml's build requirements give it tomli, and the table is
translated here, so the metadata is written once.
"""

import setuptools


def _from_pyproject():
    import io

    import tomli
    with io.open("pyproject.toml", "rb") as f:
        config = tomli.load(f)
    project, tool = config["project"], config["tool"]["setuptools"]
    with io.open(project["readme"], encoding="utf-8") as f:
        readme = f.read()
    return dict(
        name=project["name"], version=project["version"], description=project["description"],
        long_description=readme, long_description_content_type="text/markdown",
        python_requires=project["requires-python"], install_requires=project["dependencies"],
        extras_require=project["optional-dependencies"],
        entry_points={"console_scripts": ["%s = %s" % item for item in sorted(project["scripts"].items())]},
        packages=tool["packages"], package_data=tool["package-data"])


if int(setuptools.__version__.split(".")[0]) >= 61:
    setuptools.setup()
else:
    setuptools.setup(**_from_pyproject())
