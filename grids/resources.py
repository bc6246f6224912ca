"""Spreadsheet import and export of households, residents, party members and
the tags of households.

Communities keep these registers in Excel today. An import names places the way
people do (community, compound, building, unit, room), every row is checked, a
dry run lists the errors of each row, and a file with any bad row writes nothing.
Rows are saved through ``org_object_save``: the same validation, scope check and
audit trail as a form in the admin.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from core.phones import mask_mobile, normalize_mobile

from .models import (
    Building,
    Community,
    Household,
    HouseholdTag,
    PartyMember,
    PartyOrganization,
    Person,
    Tag,
    Unit,
)
from .scoping import scope_queryset
from .services import org_object_save


class AreaWidget(widgets.DecimalWidget):
    """A decimal column whose bad values get a plain message, not a class name."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except (ArithmeticError, ValueError) as exc:
            raise ValueError(
                _("“%(value)s” is not a number.") % {"value": str(value)[:20]}
            ) from exc


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RegistryResource(resources.ModelResource):
    """Base of the register imports: scoped lookups, all-or-nothing, audited saves."""

    #: Columns that together identify one row; a repeat in one file is refused.
    identity_columns: tuple[str, ...] = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._duplicates: dict[int, int] = {}

    # --- all-or-nothing -----------------------------------------------------
    def import_data(self, dataset, **kwargs):
        # One bad row rolls back the whole file, in a dry run and for real.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._duplicates = {}
        if not self.identity_columns or not dataset.headers:
            return
        first_seen: dict[tuple, int] = {}
        keys = [
            tuple(_text(row.get(self._header(c))) for c in self.identity_columns)
            for row in dataset.dict
        ]
        counts = Counter(keys)
        for number, key in enumerate(keys, 1):
            if counts[key] > 1:
                if key in first_seen:
                    self._duplicates[number] = first_seen[key]
                else:
                    first_seen[key] = number

    def _header(self, field_name: str) -> str:
        # The "unit" column is the field unit_number: "unit" is the model's FK.
        if field_name == "unit" and "unit_number" in self.fields:
            field_name = "unit_number"
        return str(self.fields[field_name].column_name)

    def import_row(self, row, instance_loader, **kwargs):
        self._row_number = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    def _refuse_duplicate(self):
        first = self._duplicates.get(self._row_number)
        if first:
            raise ValidationError(
                _("Duplicate: this row repeats row %(first)s of the file.")
                % {"first": first}
            )

    def do_instance_save(self, instance, is_create):
        org_object_save(actor=self.user, instance=instance)

    # --- places, looked up inside the user's units only ----------------------
    def _scoped(self, queryset):
        return scope_queryset(queryset, self.user) if self.user else queryset

    def resolve_community(self, row) -> Community:
        name = _text(row.get(self._header("community")))
        visible = self._scoped(Community.objects.all())
        if not name:
            only = list(visible[:2])
            if len(only) == 1:
                return only[0]
            raise ValidationError({"community": _("Name the community.")})
        community = visible.filter(name=name).first()
        if community is None:
            raise ValidationError(
                {"community": _("Unknown community “%(name)s”.") % {"name": name}}
            )
        return community

    def resolve_building(self, row) -> Building:
        community = self.resolve_community(row)
        compound_name = _text(row.get(self._header("compound")))
        number = _text(row.get(self._header("building")))
        if not compound_name or not number:
            raise ValidationError(
                {"building": _("Name both the compound and the building.")}
            )
        buildings = self._scoped(
            Building.objects.filter(compound__community=community).select_related(
                "compound"
            )
        )
        building = buildings.filter(compound__name=compound_name, number=number).first()
        if building is not None:
            return building
        elsewhere = buildings.filter(number=number).first()
        if elsewhere is not None:
            message = _(
                "Building “%(building)s” belongs to compound “%(other)s”, "
                "not to “%(compound)s”."
            ) % {
                "building": number,
                "other": elsewhere.compound.name,
                "compound": compound_name,
            }
        elif not buildings.filter(compound__name=compound_name).exists():
            message = _("Unknown compound “%(compound)s” in %(community)s.") % {
                "compound": compound_name,
                "community": community.name,
            }
        else:
            message = _(
                "Unknown building “%(building)s” in compound “%(compound)s”."
            ) % {
                "building": number,
                "compound": compound_name,
            }
        raise ValidationError({"building": message})

    def resolve_unit(self, row, *, create: bool) -> Unit | None:
        building = self.resolve_building(row)
        number = _text(row.get(self._header("unit")))
        if not number:
            raise ValidationError({"unit": _("Name the unit (e.g. 1单元).")})
        unit = Unit.objects.filter(building=building, number=number).first()
        if unit is None and create:
            unit = org_object_save(
                actor=self.user, instance=Unit(building=building, number=number)
            )
        return unit

    def resolve_household(self, row) -> Household:
        unit = self.resolve_unit(row, create=False)
        room = _text(row.get(self._header("room")))
        household = (
            Household.objects.filter(unit=unit, room=room).first() if unit else None
        )
        if household is None:
            raise ValidationError(
                {
                    "room": _(
                        "Unknown household %(building)s %(unit)s %(room)s: import "
                        "the households first."
                    )
                    % {
                        "building": _text(row.get(self._header("building"))),
                        "unit": _text(row.get(self._header("unit"))),
                        "room": room,
                    }
                }
            )
        return household

    # --- exporting places ------------------------------------------------------
    @staticmethod
    def _place(household: Household | None, part: str) -> str:
        if household is None:
            return ""
        unit = household.unit
        return {
            "community": unit.building.compound.community.name,
            "compound": unit.building.compound.name,
            "building": unit.building.number,
            "unit": unit.number,
            "room": household.room,
        }[part]


class HouseholdResource(RegistryResource):
    community = fields.Field(column_name=gettext_lazy("community"))
    compound = fields.Field(column_name=gettext_lazy("compound"))
    building = fields.Field(column_name=gettext_lazy("building"))
    unit_number = fields.Field(column_name=gettext_lazy("unit"))
    room = fields.Field(attribute="room", column_name=gettext_lazy("room"))
    floor_area = fields.Field(
        attribute="floor_area",
        column_name=gettext_lazy("floor area (m²)"),
        widget=AreaWidget(),
    )

    identity_columns = ("community", "compound", "building", "unit_number", "room")

    class Meta:
        model = Household
        fields = (
            "community",
            "compound",
            "building",
            "unit_number",
            "room",
            "floor_area",
        )
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def get_instance(self, instance_loader, row):
        self._refuse_duplicate()
        unit = self.resolve_unit(row, create=False)
        if unit is None:
            return None
        return Household.objects.filter(
            unit=unit, room=_text(row.get(self._header("room")))
        ).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.room = _text(row.get(self._header("room")))
        if not instance.room:
            raise ValidationError({"room": _("Name the room (e.g. 301).")})
        if instance.unit_id is None:
            instance.unit = self.resolve_unit(row, create=True)

    def dehydrate_community(self, household):
        return self._place(household, "community")

    def dehydrate_compound(self, household):
        return self._place(household, "compound")

    def dehydrate_building(self, household):
        return self._place(household, "building")

    def dehydrate_unit_number(self, household):
        return self._place(household, "unit")


class PersonResource(RegistryResource):
    name = fields.Field(attribute="name", column_name=gettext_lazy("full name"))
    mobile = fields.Field(attribute="mobile", column_name=gettext_lazy("mobile phone"))
    community = fields.Field(column_name=gettext_lazy("community"))
    compound = fields.Field(column_name=gettext_lazy("compound"))
    building = fields.Field(column_name=gettext_lazy("building"))
    unit_number = fields.Field(column_name=gettext_lazy("unit"))
    room = fields.Field(column_name=gettext_lazy("room"))
    moved_in_date = fields.Field(
        attribute="moved_in_date",
        column_name=gettext_lazy("moved in on"),
        widget=widgets.DateWidget(),
    )

    identity_columns = (
        "community",
        "compound",
        "building",
        "unit_number",
        "room",
        "name",
    )

    class Meta:
        model = Person
        fields = (
            "name",
            "mobile",
            "community",
            "compound",
            "building",
            "unit_number",
            "room",
            "moved_in_date",
        )
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def get_instance(self, instance_loader, row):
        self._refuse_duplicate()
        name = _text(row.get(self._header("name")))
        if not name:
            raise ValidationError({"name": _("Name the person.")})
        household = self.resolve_household(row)
        self._household = household
        return Person.objects.filter(household=household, name=name).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.name = _text(row.get(self._header("name")))
        instance.mobile = normalize_mobile(_text(row.get(self._header("mobile"))))
        instance.household = self._household
        instance.community = self._household.unit.building.compound.community

    def dehydrate_mobile(self, person):
        if self.user is not None and self.user.has_perm("grids.view_contact"):
            return person.mobile
        return mask_mobile(person.mobile)

    def dehydrate_community(self, person):
        return person.community.name

    def dehydrate_compound(self, person):
        return self._place(person.household, "compound")

    def dehydrate_building(self, person):
        return self._place(person.household, "building")

    def dehydrate_unit_number(self, person):
        return self._place(person.household, "unit")

    def dehydrate_room(self, person):
        return self._place(person.household, "room")


class PartyMemberResource(RegistryResource):
    name = fields.Field(column_name=gettext_lazy("full name"))
    mobile = fields.Field(column_name=gettext_lazy("mobile phone"))
    community = fields.Field(column_name=gettext_lazy("community"))
    kind = fields.Field(column_name=gettext_lazy("kind"))
    party_org_name = fields.Field(column_name=gettext_lazy("party organisation here"))
    work_unit = fields.Field(
        attribute="work_unit", column_name=gettext_lazy("work unit")
    )
    work_unit_party_org = fields.Field(
        attribute="work_unit_party_org",
        column_name=gettext_lazy("party organisation at work"),
    )
    joined_party_date = fields.Field(
        attribute="joined_party_date",
        column_name=gettext_lazy("joined the party on"),
        widget=widgets.DateWidget(),
    )
    reported_date = fields.Field(
        attribute="reported_date",
        column_name=gettext_lazy("reported to the community on"),
        widget=widgets.DateWidget(),
    )

    identity_columns = ("community", "name", "mobile")

    class Meta:
        model = PartyMember
        fields = (
            "name",
            "mobile",
            "community",
            "kind",
            "party_org_name",
            "work_unit",
            "work_unit_party_org",
            "joined_party_date",
            "reported_date",
        )
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def get_instance(self, instance_loader, row):
        self._refuse_duplicate()
        community = self.resolve_community(row)
        name = _text(row.get(self._header("name")))
        mobile = normalize_mobile(_text(row.get(self._header("mobile"))))
        person = self._scoped(Person.objects.filter(community=community, name=name))
        person = person.filter(mobile=mobile).first() if mobile else None
        if person is None:
            raise ValidationError(
                {
                    "name": _(
                        "No person “%(name)s” with mobile %(mobile)s on the "
                        "register of %(community)s: import the residents first."
                    )
                    % {
                        "name": name,
                        "mobile": mask_mobile(mobile),
                        "community": community,
                    }
                }
            )
        self._person = person
        return PartyMember.objects.filter(person=person).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.person = self._person
        instance.community = self._person.community
        labels = {str(label): value for value, label in PartyMember.Kind.choices}
        labels.update({value: value for value in PartyMember.Kind.values})
        kind = _text(row.get(self._header("kind")))
        if kind not in labels:
            raise ValidationError(
                {
                    "kind": _("Unknown kind “%(kind)s”; use one of: %(choices)s.")
                    % {
                        "kind": kind,
                        "choices": "、".join(
                            str(v) for _v, v in PartyMember.Kind.choices
                        ),
                    }
                }
            )
        instance.kind = labels[kind]
        org_name = _text(row.get(self._header("party_org_name")))
        instance.party_org = None
        if org_name:
            instance.party_org = PartyOrganization.objects.filter(
                community=instance.community, name=org_name
            ).first()
            if instance.party_org is None:
                raise ValidationError(
                    {
                        "party_org": _(
                            "Unknown party organisation “%(name)s” in %(community)s."
                        )
                        % {"name": org_name, "community": instance.community}
                    }
                )

    def dehydrate_name(self, member):
        return member.person.name

    def dehydrate_mobile(self, member):
        if self.user is not None and self.user.has_perm("grids.view_contact"):
            return member.person.mobile
        return mask_mobile(member.person.mobile)

    def dehydrate_community(self, member):
        return member.community.name

    def dehydrate_kind(self, member):
        return member.get_kind_display()

    def dehydrate_party_org_name(self, member):
        return member.party_org.name if member.party_org else ""


class HouseholdTagResource(RegistryResource):
    """Tags of households (一户一档), one row per household and tag, named by
    place like the register; importing a row again changes its note."""

    community = fields.Field(column_name=gettext_lazy("community"))
    compound = fields.Field(column_name=gettext_lazy("compound"))
    building = fields.Field(column_name=gettext_lazy("building"))
    unit_number = fields.Field(column_name=gettext_lazy("unit"))
    room = fields.Field(column_name=gettext_lazy("room"))
    tag_name = fields.Field(column_name=gettext_lazy("tag"))
    note = fields.Field(attribute="note", column_name=gettext_lazy("note"))

    identity_columns = (
        "community",
        "compound",
        "building",
        "unit_number",
        "room",
        "tag_name",
    )

    class Meta:
        model = HouseholdTag
        fields = (
            "community",
            "compound",
            "building",
            "unit_number",
            "room",
            "tag_name",
            "note",
        )
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def get_instance(self, instance_loader, row):
        self._refuse_duplicate()
        household = self.resolve_household(row)
        name = _text(row.get(self._header("tag_name")))
        tag = Tag.objects.filter(name=name, is_active=True).first()
        if tag is None:
            raise ValidationError(
                {
                    "tag": _("Unknown tag “%(tag)s”; use one of: %(tags)s.")
                    % {
                        "tag": name,
                        "tags": "、".join(
                            Tag.objects.filter(is_active=True).values_list(
                                "name", flat=True
                            )
                        ),
                    }
                }
            )
        self._household, self._tag = household, tag
        return HouseholdTag.objects.filter(household=household, tag=tag).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.household = self._household
        instance.tag = self._tag
        instance.note = _text(row.get(self._header("note")))[:200]

    def dehydrate_community(self, item):
        return self._place(item.household, "community")

    def dehydrate_compound(self, item):
        return self._place(item.household, "compound")

    def dehydrate_building(self, item):
        return self._place(item.household, "building")

    def dehydrate_unit_number(self, item):
        return self._place(item.household, "unit")

    def dehydrate_room(self, item):
        return self._place(item.household, "room")

    def dehydrate_tag_name(self, item):
        return item.tag.name
