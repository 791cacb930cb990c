"""The exported script can never carry code from a project or a data file.

Every string a stranger controls (a layer setting, a column name, a label, a class folder, the
data file's path) is fed hostile text; the script must still parse, and its calls must be
exactly the ones the templates write. A setting outside the catalog's schema never reaches the
script at all.
"""

from __future__ import annotations

import ast
import copy
import json

import numpy as np
import pytest

from tests.core.test_datasets import make_image_folder
from workbench.backend.codegen import custom_layer_sources, keras_script
from workbench.core.datasets import load_dataset
from workbench.core.errors import FileRejected
from workbench.core.layers import CATALOG, LayerSpec
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import default_layers

HOSTILE = [
    "keras.layers.LSTM if __import__('os').system('touch PWNED') else keras.layers.GRU",
    "x'); __import__('os').system('touch PWNED'); ('",
    'y"); __import__("os").system("touch PWNED"); ("',
    "z'''\nimport os; os.system('touch PWNED')\n'''",
    "w\\\n__import__('os').system('touch PWNED')#",
    "{__import__('os').system('touch PWNED')}",
]


class _Blank(ast.NodeTransformer):
    """Every string constant replaced by one placeholder: strings are data, not shape."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("S") if isinstance(node.value, str) else node


def calls(script: str) -> set[str]:
    """What the script calls (its strings blanked), e.g. ``frame['S'].astype``."""
    tree = _Blank().visit(ast.parse(script))
    return {
        ast.unparse(n.func)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and not isinstance(n.func, ast.Call)  # layer(...)(x): inner
    }


def names(script: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(script)) if isinstance(n, ast.Name)}


def assert_no_payload(script: str, reference: str) -> None:
    """Hostile text only ever as string constants; no call the clean script does not make."""
    assert calls(script) <= calls(reference), calls(script) - calls(reference)
    assert names(script) <= names(reference), names(script) - names(reference)
    assert "__import__" not in names(script)
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.Attribute):
            assert node.attr != "system"


def text_project(data) -> Project:
    return Project(DatasetSpec(kind=data.kind, task=data.task), default_layers(data))


def write_rows(path, header, rows):
    import pandas as pd

    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("evil", HOSTILE)
def test_hostile_column_names_labels_and_paths_stay_literals(tmp_path, evil):
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    texts = [f"word{i % 7} other{i % 3} thing" for i in range(60)]
    clean = write_rows(
        clean_dir / "d.csv",
        ["text", "label"],
        [[t, ["a", "b"][i % 2]] for i, t in enumerate(texts)],
    )
    evil_dir = tmp_path / ("d" + evil.replace("/", "_").replace("\\", "_"))
    evil_dir.mkdir()
    hostile = write_rows(
        evil_dir / "d.csv",
        ["text" + evil, "label" + evil],
        [[t, [evil, "b"][i % 2]] for i, t in enumerate(texts)],
    )
    reference = keras_script(text_project(load := load_dataset(clean)), load)
    data = load_dataset(hostile, "text", text_column="text" + evil, label_column="label" + evil)
    script = keras_script(text_project(data), data)
    assert_no_payload(script, reference)
    assert evil.split("\n")[0] in script or repr(evil)[1:-1][:20] in script  # it is there, quoted


@pytest.mark.parametrize("evil", HOSTILE[:3])
def test_hostile_feature_columns_and_class_folders(tmp_path, evil):
    rng = np.random.default_rng(0)
    rows = [[float(v), float(w), ["a", "b"][i % 2]] for i, (v, w) in enumerate(rng.random((40, 2)))]
    clean = write_rows(tmp_path / "clean.csv", ["f1", "f2", "y"], rows)
    hostile = write_rows(tmp_path / "evil.csv", ["f1" + evil, evil, "y" + evil], rows)
    ref_data = load_dataset(clean, "tabular", label_column="y")
    reference = keras_script(text_project(ref_data), ref_data)
    data = load_dataset(hostile, "tabular", label_column="y" + evil)
    assert_no_payload(keras_script(text_project(data), data), reference)

    ref_images = load_dataset(make_image_folder(tmp_path / "imgs"))
    image_reference = keras_script(text_project(ref_images), ref_images)
    folder = evil.replace("/", "_").replace("\n", "_")
    images = load_dataset(make_image_folder(tmp_path / "evil_imgs", classes=(folder, "b")))
    assert_no_payload(keras_script(text_project(images), images), image_reference)


def test_every_catalog_setting_refuses_hostile_text_before_any_code_is_written():
    """A project whose layer settings hold code is refused, naming the layer and setting."""
    base = Project().to_dict()
    checked = 0
    for kind, layer_type in CATALOG.items():
        for spec in layer_type.params:
            for evil in HOSTILE[:2]:
                data = copy.deepcopy(base)
                layer = LayerSpec(kind).to_dict()
                layer["params"][spec.name] = evil
                data["layers"].insert(1, layer)
                with pytest.raises(FileRejected) as caught:
                    Project.from_dict(json.loads(json.dumps(data)), "shared.json")
                message = str(caught.value)
                assert message.startswith("shared.json: layers[1]: ") and "\n" not in message
                assert kind in message
                checked += 1
    assert checked > 100  # every setting of every layer type


def test_a_stack_of_every_layer_type_writes_only_keras_calls(tmp_path):
    """Every catalog layer, with its default settings, in one script: it parses, and the only
    calls beyond the template's own are the layers' constructors."""
    texts = [f"word{i % 7} other{i % 3}" for i in range(40)]
    csv = write_rows(
        tmp_path / "d.csv", ["text", "label"], [[t, "ab"[i % 2]] for i, t in enumerate(texts)]
    )
    data = load_dataset(csv)
    reference = keras_script(text_project(data), data)
    project = text_project(data)
    project.layers = [LayerSpec(kind) for kind in CATALOG]
    script = keras_script(project, data)
    constructors = {
        f"keras.layers.{kind}" if not CATALOG[kind].custom else kind for kind in CATALOG
    } | {"keras.layers.LSTM", "keras.layers.GRU"}
    ours = custom_layer_sources([LayerSpec(k) for k in CATALOG if CATALOG[k].custom])
    extra = calls(script) - calls(reference) - calls(ours)  # the workbench's own classes
    assert extra <= constructors, extra - constructors


def test_bad_values_in_a_project_are_refused_with_the_field_named():
    base = Project().to_dict()
    cases = [
        (("training", "epochs"), "ten", "training.epochs"),
        (("training", "learning_rate"), float("inf"), "training.learning_rate"),
        (("training", "optimizer"), "adam; import os", "training.optimizer"),
        (("dataset", "kind"), "text'); import os; ('", "dataset.kind"),
    ]
    for (section, key), value, field in cases:
        data = copy.deepcopy(base)
        data[section][key] = value
        with pytest.raises(FileRejected, match=field.replace(".", r"\.")):
            Project.from_dict(data, "p.json")
    data = copy.deepcopy(base)
    data["layers"][2]["params"]["units"] = -5
    with pytest.raises(FileRejected, match=r"layers\[2\]: LSTM: Units must be at least 1"):
        Project.from_dict(data, "p.json")
    data = json.loads(json.dumps(base))
    data["layers"] = [{"kind": "Dense"}] * 250_000
    with pytest.raises(FileRejected, match="at most 500"):
        Project.from_dict(data, "p.json")


def test_a_project_built_in_memory_is_validated_before_export(tmp_path):
    """The reported hole: code in the Bidirectional's inner-layer setting. Even a project that
    never went through a file is checked before a line is written."""
    texts = [f"word{i % 7} other{i % 3}" for i in range(40)]
    rows = [[t, "ab"[i % 2]] for i, t in enumerate(texts)]
    data = load_dataset(write_rows(tmp_path / "d.csv", ["text", "label"], rows))
    project = text_project(data)
    project.layers.insert(2, LayerSpec("Bidirectional", {"layer": HOSTILE[0]}))
    with pytest.raises(FileRejected, match=r"layers\[2\]: Bidirectional: Recurrent layer"):
        keras_script(project, data)
    project.layers[2].params["layer"] = "GRU"
    assert "keras.layers.Bidirectional(keras.layers.GRU(" in keras_script(project, data)
