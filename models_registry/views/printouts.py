"""The registration printed as the official form (PDF, .docx) for whoever may see the model."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.views import View

from models_registry import printouts
from models_registry.views.registrations import ScopedModelMixin

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def attachment_response(content: bytes, *, content_type: str, name: str, fallback: str):
    """A download that never opens as a page of the portal, named in Vietnamese where the
    browser can (RFC 6266 ``filename*``) and in plain letters otherwise."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class RegistrationPrintView(ScopedModelMixin, View):
    """GET: the registration form of a model the user can see, as a PDF or a .docx file."""

    extension = "pdf"

    def get(self, request, pk):
        model = self.get_model(pk)
        form = printouts.registration_form(model)
        if self.extension == "pdf":
            content = printouts.registration_pdf(form)
        else:
            content = printouts.registration_docx(form)
        return attachment_response(
            content,
            content_type=CONTENT_TYPES[self.extension],
            name=printouts.filename(model, self.extension),
            fallback=printouts.ascii_filename(model, self.extension),
        )
