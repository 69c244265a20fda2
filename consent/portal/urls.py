"""The donor portal's pages, included at ``/my/`` by the root URLconf."""

from django.urls import path

from .views import changes, link, messages, pages

app_name = "donor_portal"

urlpatterns = [
    path("", pages.home, name="home"),
    path("welcome/<str:token>/", link.welcome, name="welcome"),
    path("consents/<int:consent_id>/", pages.consent_detail, name="consent"),
    path("consents/<int:consent_id>/receipt.pdf", pages.receipt, name="receipt"),
    path("choices/<slug:module_code>/", changes.choice_change, name="choice_change"),
    path("reconsent/<int:template_id>/", changes.reconsent, name="reconsent"),
    path("withdraw/", changes.withdraw, name="withdraw"),
    path("withdraw/done/", changes.withdraw_done, name="withdraw_done"),
    path("history/", pages.history, name="history"),
    path("projects/", pages.projects, name="projects"),
    path("messages/", messages.message_list, name="messages"),
    path("messages/<int:message_id>/", messages.message_detail, name="message"),
    path("preferences/", messages.preferences, name="preferences"),
]
