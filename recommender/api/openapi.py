"""GET /v1/openapi.json: the API described in OpenAPI 3.0 (no key needed to read it)."""
from __future__ import annotations

import importlib.metadata

from flask import Blueprint, jsonify

from recommender.storefront_data import EVENT_TYPES

blueprint = Blueprint("openapi", __name__)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {str(status): _json(_ref("Error"), text) for status, text in (
    (400, "bad request"), (401, "no or unknown API key"),
    (403, "a key used by a page on a site it is not for"), (404, "not found"),
    (429, "too many requests"))}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "code", "message"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                       "message": {"type": "string"}}}}},
    "Garment": {"type": "object", "required": ["id", "name", "pattern", "fabric", "sizes"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                               "pattern": {"type": "string"}, "fabric": {"type": "string"},
                               "color": {"type": "array", "items": {"type": "number"}},
                               "sizes": {"type": "array", "items": {"type": "string"}},
                               "images": {"type": "object", "additionalProperties":
                                          {"type": "string"}}}},
    "Avatar": {"type": "object", "required": ["id", "height_cm", "measurements_cm"],
               "properties": {"id": {"type": "string"}, "height_cm": {"type": "number"},
                              "measurements_cm": {"type": "object", "additionalProperties":
                                                  {"type": "number"}},
                              "measurement_confidence": {"type": "object"},
                              "notes": {"type": "array", "items": {"type": "string"}}}},
    "Event": {"type": "object", "required": ["shopper", "item", "type"], "properties": {
        "shopper": {"type": "string", "minLength": 1, "maxLength": 100},
        "item": {"type": "string", "minLength": 1, "maxLength": 100},
        "type": {"type": "string", "enum": list(EVENT_TYPES)},
        "avatar": {"type": "string"}, "context": {"type": "object"}}},
    "TryOn": {"type": "object", "required": ["id", "state", "progress", "files"], "properties": {
        "id": {"type": "string"}, "avatar": {"type": "string"}, "garment": {"type": "string"},
        "size": {"type": "string"}, "size_advised": {"type": "boolean"},
        "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "progress": {"type": "number"}, "error": {"type": "string", "nullable": True},
        "files": {"type": "object", "additionalProperties": {"type": "string"}},
        "fit": {"type": "object", "description": "of the size shown (size)"},
        "sizes": {"type": "array", "description": "each size draped, smallest first",
                  "items": {"type": "object", "properties": {
                      "size": {"type": "string"}, "fit": {"type": "object"},
                      "files": {"type": "object",
                                "additionalProperties": {"type": "string"}}}}},
        "advice": {"type": "object", "description": "with 'advise', once done",
                   "properties": {"size": {"type": "string"}, "reason": {"type": "string"},
                                  "chart_size": {"type": "string"}}}}},
    "Recommendations": {"type": "object", "required": ["policy", "items"], "properties": {
        "policy": {"type": "string", "description": "the policy that answered this shopper"},
        "items": {"type": "array", "items": {"type": "object", "required": ["item", "propensity"],
                                             "properties": {"item": {"type": "string"},
                                                            "propensity": {"type": "number"}}}}}},
}

PATHS = {
    "/v1/garments": {"get": {"summary": "The catalog", "responses": {
        "200": _json({"type": "object", "properties": {"garments": {
            "type": "array", "items": _ref("Garment")}}}, "the garments"), **ERRORS}}},
    "/v1/garments/{id}": {"get": {
        "summary": "One garment", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": _json(_ref("Garment"), "the garment"), **ERRORS}}},
    "/v1/garments/{id}/images/pattern.png": {"get": {
        "summary": "The garment's sewing pattern as a flat sheet",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "a PNG", "content": {"image/png": {
            "schema": {"type": "string", "format": "binary"}}}}, **ERRORS}}},
    "/v1/avatars": {"post": {
        "summary": "Fit a measured avatar to photos; the photos are never stored",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["front", "height_cm"], "properties": {
                "front": {"type": "string", "format": "binary"},
                "side": {"type": "string", "format": "binary"},
                "height_cm": {"type": "number", "minimum": 100, "maximum": 230}}},
            "encoding": {"front": {"contentType": "image/jpeg, image/png, image/webp"},
                         "side": {"contentType": "image/jpeg, image/png, image/webp"}}}}},
        "responses": {"201": _json(_ref("Avatar"), "the avatar"),
                      "413": _json(_ref("Error"), "request or photo too large"),
                      "415": _json(_ref("Error"), "not multipart, or not a photo"),
                      "422": _json(_ref("Error"), "no usable person in the photo"), **ERRORS}}},
    "/v1/avatars/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "get": {"summary": "An avatar", "responses": {"200": _json(_ref("Avatar"), "the avatar"),
                                                      **ERRORS}},
        "delete": {"summary": "Erase an avatar and all derived from it",
                   "responses": {"204": {"description": "erased"}, **ERRORS}}},
    "/v1/events": {"post": {
        "summary": "A shopper's event on an item",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("Event")}}},
        "responses": {"201": _json({"type": "object", "properties": {"id": {"type": "integer"}}},
                                   "recorded"), **ERRORS}}},
    "/v1/tryons": {"post": {
        "summary": "An avatar in a garment, in a size, or 'advise': the chart's size and those "
                   "either side of it are draped, and the advice is the smallest tight nowhere",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["avatar", "garment"], "properties": {
                "avatar": {"type": "string"}, "garment": {"type": "string"},
                "size": {"type": "string", "default": "advise"}}}}}},
        "responses": {"201": _json(_ref("TryOn"), "queued, with its preview"), **ERRORS}}},
    "/v1/tryons/{id}": {"get": {
        "summary": "A try-on's state, progress, files and fit",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": _json(_ref("TryOn"), "the try-on"), **ERRORS}}},
    "/v1/tryons/{id}/files/{name}": {"get": {
        "summary": "preview.png; front.png, back.png or draped.glb of the size shown; "
                   "SIZE/front.png, SIZE/back.png or SIZE/draped.glb of any size draped",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}},
                       {"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the file", "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "model/gltf-binary": {"schema": {"type": "string", "format": "binary"}}}},
            **ERRORS}}},
    "/v1/recommendations": {"get": {
        "summary": "Items for a shopper, with the policy's propensities",
        "description": "Items the shopper's session has added to its outfit or cart, or "
                       "bought, are left out by the session policy.",
        "parameters": [
            {"name": "shopper", "in": "query", "required": True,
             "schema": {"type": "string", "minLength": 1, "maxLength": 100}},
            {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                    "maximum": 20, "default": 5}},
            {"name": "avatar", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": _json(_ref("Recommendations"), "the items"), **ERRORS}}},
}


@blueprint.get("/openapi.json")
def document():
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "tryon storefront API", "version": importlib.metadata.version("tryon")},
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "components": {"securitySchemes": {"apiKey": {
            "type": "http", "scheme": "bearer",
            "description": "a storefront's key: secret (tok_...) for its servers, or "
                           "publishable (pk_...) for its web pages on the origins it names"}},
                       "schemas": SCHEMAS},
        "paths": PATHS})
