from django.contrib.auth import views as auth_views
from django.urls import path

from .views import auth, donor, mfa, profile, signup

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", profile.profile, name="profile"),
    path("mfa/", mfa.verify, name="mfa_verify"),
    path("mfa/setup/", mfa.setup, name="mfa_setup"),
    path("mfa/recovery-codes/", mfa.recovery_codes_regenerate, name="mfa_recovery_codes"),
    path("mfa/reset/<slug:code>/<int:user_id>/", mfa.reset, name="mfa_reset"),
    path("signup/", signup.signup, name="signup"),
    path("signup/sent/", signup.signup_done, name="signup_done"),
    path("verify/<str:token>/", signup.verify, name="researcher_verify"),
    path("donor/", donor.link_request, name="donor_link"),
    path("donor/sent/", donor.link_sent, name="donor_link_sent"),
    path("donor/<uidb64>/<token>/", donor.link_confirm, name="donor_link_confirm"),
]
