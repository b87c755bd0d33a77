from django.db import models


class NeedArea(models.TextChoices):
    HOUSING = "housing", "Housing"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    IMMIGRATION = "immigration", "Immigration"
    MONEY_AND_BENEFITS = "money_and_benefits", "Money and benefits"
    SAFETY_AND_ALARMS = "safety_and_alarms", "Safety and alarms"
    COUNSELLING = "counselling", "Counselling"
    LEGAL = "legal", "Legal"
    OTHER = "other", "Other"


class NeedStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    REFERRED = "referred", "Referred"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    DECLINED = "declined", "Declined by the client"


class SafetyItemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DONE = "done", "Done"
    REMOVED = "removed", "No longer needed"
