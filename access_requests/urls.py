"""Browser routes of the access-requests app (under /requests/), one block per screen family."""

from django.urls import path

app_name = "access_requests"
urlpatterns: list = []

# --- committee (access_requests/views/committee_*.py) ---
from .views import committee_manage, committee_messages, committee_review  # noqa: E402

urlpatterns += [
    path("committees/<slug:code>/", committee_manage.committee_manage, name="committee_manage"),
    path("review/", committee_review.review_queue, name="review_queue"),
    path("review/<int:pk>/", committee_review.review_screen, name="review_screen"),
    path("review/<int:pk>/letter.pdf", committee_review.decision_letter, name="decision_letter"),
    path("review/<int:pk>/<slug:action>/", committee_review.review_act, name="review_act"),
    path("<int:pk>/messages/", committee_messages.message_post_view, name="message_post"),
]
