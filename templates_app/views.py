from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from accounts.access import console_view, get_for_account_or_404
from accounts.models import Role
from templates_app import services
from templates_app.errors import TemplateError
from templates_app.forms import (
    PREVIEW_PREFIX,
    RejectForm,
    TemplateForm,
    preview_form,
    preview_values,
)
from templates_app.models import EmailTemplate, Status, TemplateVersion
from templates_app.variables import DOCUMENT, render_version

EDITORS = (Role.OWNER, Role.OPERATOR)
PAGE_SIZE = 50

# The preview frame shows an author's email: no script of any kind, no
# plugins, no forms, no navigation of the console; inline styles are the
# email's own. `sandbox` repeats the iframe's attribute for a frame opened on
# its own.
PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "img-src": ["https:", "http:", "data:"],
    "style-src": [CSP.UNSAFE_INLINE],
    "font-src": ["https:"],
    "script-src": [CSP.NONE],
    "form-action": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "sandbox": True,
}


# Inline styles are the preview document's own (its CSP allows them).
PREVIEW_NOTE_STYLE = "font: 15px/1.5 sans-serif; color: #c62828; margin: 16px"
PREVIEW_TEXT_STYLE = (
    "white-space: pre-wrap; font: 14px/1.5 ui-monospace, monospace; margin: 16px"
)


def _template_or_404(request: HttpRequest, template_id: int) -> EmailTemplate:
    return get_for_account_or_404(
        EmailTemplate.objects.with_versions(), request.account, pk=template_id
    )


def _version_or_404(
    request: HttpRequest, template_id: int, number: int
) -> TemplateVersion:
    return get_for_account_or_404(
        TemplateVersion.objects.select_related("template"),
        request.account,
        template_id=template_id,
        number=number,
    )


def _role_denied(request: HttpRequest, *roles: str) -> HttpResponse | None:
    """The 403 page when the user lacks all of `roles`, else None.

    Object views call it after fetching the object, so a member of another
    account gets 404 whatever roles they hold in their own.
    """
    if request.account_context.has_role(*roles):
        return None
    return render(
        request,
        "accounts/role_required.html",
        {"required_roles": [Role(role).label for role in roles]},
        status=403,
    )


def _can_edit(request: HttpRequest) -> bool:
    return request.account_context.has_role(*EDITORS)


def _field(form: TemplateForm | RejectForm, error: TemplateError) -> str | None:
    return error.field if error.field in form.fields else None


def _report_saved(request: HttpRequest, version: TemplateVersion) -> None:
    if version.status == Status.PENDING:
        messages.success(request, f"Version {version.number} was submitted for review.")
    else:
        messages.success(request, f"Version {version.number} was saved as a draft.")
    if version.removed:
        removed = ", ".join(str(item) for item in version.removed_list)
        messages.warning(
            request, f"We removed what email cannot safely carry: {removed}."
        )


@require_GET
@console_view()
def template_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    templates = (
        EmailTemplate.objects.for_account(request.account).with_versions().search(query)
    )
    if status in Status.values:
        templates = templates.filter(status=status)
    else:
        status = ""
    page = Paginator(templates, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = urlencode(
        {key: value for key, value in [("q", query), ("status", status)] if value}
    )
    context = {
        "page": page,
        "query": query,
        "status": status,
        "statuses": Status.choices,
        "filters": filters,
        "filtered": bool(query or status),
        "can_edit": _can_edit(request),
    }
    if request.htmx and request.htmx.target == "template-table":
        return render(request, "templates_app/list.html#template-table", context)
    return render(request, "templates_app/list.html", context)


@console_view(*EDITORS)
def template_create(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.create_template(
                account=request.account,
                author=request.user,
                submit=request.POST.get("action") == "submit",
                **form.content(),
            )
        except TemplateError as error:
            form.add_error(_field(form, error), error.message)
        else:
            _report_saved(request, template.current_version)
            return redirect("templates_app:detail", template_id=template.pk)
    return render(
        request,
        "templates_app/edit.html",
        {"form": form, "template": None},
        status=400 if form.errors else 200,
    )


@console_view()
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(request, template_id)
    if denied := _role_denied(request, *EDITORS):
        return denied
    current = template.current_version
    if request.method == "POST":
        form = TemplateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.update_template(
                    template=template,
                    author=request.user,
                    submit=request.POST.get("action") == "submit",
                    **form.content(),
                )
            except TemplateError as error:
                form.add_error(_field(form, error), error.message)
            else:
                _report_saved(request, version)
                return redirect("templates_app:detail", template_id=template.pk)
    else:
        form = TemplateForm.for_version(current)
    return render(
        request,
        "templates_app/edit.html",
        {
            "form": form,
            "template": template,
            "current": current,
            "locked": current.status == Status.PENDING,
            "goes_to_review": current.status == Status.APPROVED,
        },
        status=400 if form.errors else 200,
    )


def _frame_url(version: TemplateVersion, values: dict[str, str]) -> str:
    url = reverse(
        "templates_app:preview_frame",
        kwargs={"template_id": version.template_id, "number": version.number},
    )
    query = urlencode(
        {f"{PREVIEW_PREFIX}-{name}": value for name, value in values.items()}
    )
    return f"{url}?{query}" if query else url


@require_GET
@console_view()
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(request, template_id)
    current = template.current_version
    versions = template.versions.select_related(
        "created_by", "submitted_by", "reviewed_by"
    ).order_by("-number")
    values = preview_values(current.variables, {})
    return render(
        request,
        "templates_app/detail.html",
        {
            "template": template,
            "current": current,
            "versions": versions,
            "frame_url": _frame_url(current, values),
            "can_edit": _can_edit(request),
        },
    )


@require_POST
@console_view()
def template_submit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(request, template_id)
    if denied := _role_denied(request, *EDITORS):
        return denied
    try:
        version = services.submit_template(template=template, author=request.user)
    except TemplateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Version {version.number} was submitted. A reviewer normally "
            "answers within one business day.",
        )
    return redirect("templates_app:detail", template_id=template.pk)


@require_POST
@console_view()
def template_withdraw(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(request, template_id)
    if denied := _role_denied(request, *EDITORS):
        return denied
    try:
        version = services.withdraw_template(template=template, author=request.user)
    except TemplateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Version {version.number} was withdrawn and is a draft again."
        )
    return redirect("templates_app:detail", template_id=template.pk)


@require_GET
@console_view()
def template_preview(
    request: HttpRequest, template_id: int, number: int
) -> HttpResponse:
    version = _version_or_404(request, template_id, number)
    values = preview_values(version.variables, request.GET)
    narrow = request.GET.get("width") == "narrow"
    error = text = None
    try:
        text = render_version(version, values).text
    except TemplateError as problem:
        error = problem.message
    query = {f"{PREVIEW_PREFIX}-{name}": value for name, value in values.items()}
    context = {
        "template": version.template,
        "version": version,
        "form": preview_form(version.variables, values),
        "frame_url": _frame_url(version, values),
        "narrow": narrow,
        "desktop_url": "?" + urlencode(query),
        "narrow_url": "?" + urlencode({**query, "width": "narrow"}),
        "text": text,
        "error": error,
    }
    if request.htmx and request.htmx.target == "preview-stage":
        return render(request, "templates_app/preview.html#preview-stage", context)
    return render(request, "templates_app/preview.html", context)


@require_GET
@csp_override(PREVIEW_CSP)
@xframe_options_sameorigin
@console_view()
def preview_frame(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """The rendered email alone, for the sandboxed preview iframe."""
    version = _version_or_404(request, template_id, number)
    values = preview_values(version.variables, request.GET)
    try:
        rendered = render_version(version, values)
    except TemplateError as error:
        body = f'<p style="{PREVIEW_NOTE_STYLE}">{escape(error.message)}</p>'
        document = DOCUMENT.format(body=body)
    else:
        body = f'<pre style="{PREVIEW_TEXT_STYLE}">{escape(rendered.text)}</pre>'
        document = rendered.html or DOCUMENT.format(body=body)
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@console_view(Role.REVIEWER)
def review_queue(request: HttpRequest) -> HttpResponse:
    versions = list(
        TemplateVersion.objects.for_account(request.account).pending_review()
    )
    return render(
        request,
        "templates_app/review_queue.html",
        {
            "versions": versions,
            "overdue": sum(1 for version in versions if version.is_overdue),
            "oldest": versions[0] if versions else None,
        },
    )


def _review_page(
    request: HttpRequest,
    version: TemplateVersion,
    *,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    template = version.template
    approved = template.approved_version
    return render(
        request,
        "templates_app/review.html",
        {
            "version": version,
            "template": template,
            "approved": approved if approved and approved.pk != version.pk else None,
            "frame_url": _frame_url(version, preview_values(version.variables, {})),
            "reject_form": reject_form or RejectForm(),
            "is_own": version.submitted_by_id == request.user.pk,
        },
        status=status,
    )


def _reviewable_or_404(request: HttpRequest, version_id: int) -> TemplateVersion:
    return get_for_account_or_404(
        TemplateVersion.objects.select_related(
            "template__approved_version", "submitted_by", "reviewed_by"
        ),
        request.account,
        pk=version_id,
    )


@require_GET
@console_view()
def review_version(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _reviewable_or_404(request, version_id)
    if denied := _role_denied(request, Role.REVIEWER):
        return denied
    return _review_page(request, version)


@require_POST
@console_view()
def approve(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _reviewable_or_404(request, version_id)
    if denied := _role_denied(request, Role.REVIEWER):
        return denied
    try:
        services.approve_version(version=version, reviewer=request.user)
    except TemplateError as error:
        messages.error(request, error.message)
        return redirect("templates_app:review", version_id=version.pk)
    messages.success(
        request,
        f"Approved “{version.template.name}” version {version.number}. "
        "It can be sent now.",
    )
    return redirect("templates_app:review_queue")


@require_POST
@console_view()
def reject(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _reviewable_or_404(request, version_id)
    if denied := _role_denied(request, Role.REVIEWER):
        return denied
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject_version(
                version=version,
                reviewer=request.user,
                reason=form.cleaned_data["reason"],
            )
        except TemplateError as error:
            form.add_error(_field(form, error), error.message)
        else:
            messages.success(
                request,
                f"Rejected “{version.template.name}” version {version.number}. "
                "The author sees your reason.",
            )
            return redirect("templates_app:review_queue")
    return _review_page(request, version, reject_form=form, status=400)
