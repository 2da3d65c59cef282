"""Uploads held in memory: Werkzeug spools a large multipart file to a temporary file on disk;
this request keeps every file part in memory instead (request bodies are capped by
MAX_CONTENT_LENGTH), so an uploaded photo never reaches the disk."""
from __future__ import annotations

import io

from flask import Request


class InMemoryRequest(Request):
    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):
        return io.BytesIO()
