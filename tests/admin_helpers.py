"""What the admin tests share."""


def search_of(form, name: str) -> str:
    """The search address of a picker in an admin form (inside the related-links wrapper)."""
    widget = form.fields[name].widget
    return str(getattr(widget, "widget", widget).search_url)
