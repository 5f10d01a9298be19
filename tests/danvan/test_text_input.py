"""Typed text: NUL characters refused in Vietnamese, single-line fields kept on one line,
grouped Vietnamese numbers accepted in money fields."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from models_registry.models import DanVanModel


def registration(tree, **extra):
    return {
        "name": "Trồng bí xanh",
        "kind": "model",
        "actor": "collective",
        "owning_unit": tree.ward.pk,
        **extra,
    }


NUL_MESSAGE = "Không được nhập ký tự rỗng (NUL)"


def test_a_nul_character_in_a_text_field_is_refused_in_vietnamese(client_for, tree, cadre):
    data = registration(tree, situation="Đường lầy\x00lội", action="save")
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert NUL_MESSAGE in page and "Null characters" not in page
    assert not DanVanModel.objects.exists()


def test_autosave_says_it_in_vietnamese_too(client_for, tree, cadre):
    response = client_for(cadre).post(
        reverse("models_registry:model_autosave_new"), registration(tree, goals="a\x00b")
    )
    assert response.status_code == 400
    errors = json.dumps(json.loads(response.content)["errors"], ensure_ascii=False)
    assert NUL_MESSAGE in errors and "Null characters" not in errors
