from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.signin import SignInForm

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path("masuk/", auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=SignInForm,
                                                 redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("profil/", views.profile, name="profile"),
    path("dua-langkah/", views.second_step, name="second_step"),
    path("dua-langkah/atur/", views.second_step_enrol, name="second_step_enrol"),
    path(
        "sandi/ganti/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html",
                                              success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path(
        "sandi/ganti/selesai/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "sandi/lupa/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "sandi/lupa/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "sandi/atur/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "sandi/atur/selesai/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
