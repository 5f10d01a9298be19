"""Django's user admin (superusers only), made to answer a taken e-mail address as the portal's
pages do: a message on the form, not the database's refusal as a server error."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from accounts.services import EMAIL_TAKEN

User = get_user_model()


class UserChangeFormWithUniqueEmail(UserChangeForm):
    def clean_email(self):
        email = self.cleaned_data.get("email", "")
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            self.add_error("email", EMAIL_TAKEN)
        return email


class PortalUserAdmin(UserAdmin):
    form = UserChangeFormWithUniqueEmail


admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
