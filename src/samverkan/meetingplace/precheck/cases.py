# ruff: noqa: E501 - a data file: statements are kept whole on one line
"""The pre-check's test set: statements in Swedish and English as partner material might put them,
mixing correct, misleading and unrelated claims, with the topic and the fact each should meet.

The facts here paraphrase rules for testing only; they are not the agency's wording. The real fact
base is kept by the agency in the platform (``FactStatement``).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import Fact

FACTS = (
    Fact(
        "at-und",
        "right_to_work",
        "En asylsökande som är undantagen från kravet på arbetstillstånd (AT-UND) får arbeta medan ansökan prövas.",
        "An asylum seeker exempt from the work permit requirement (AT-UND) may work while the application is examined.",
    ),
    Fact(
        "arbete-identitet",
        "right_to_work",
        "Undantag från kravet på arbetstillstånd förutsätter bland annat att den sökande medverkar till att klarlägga sin identitet.",
        "The exemption from the work permit requirement requires, among other things, that the applicant helps establish their identity.",
    ),
    Fact(
        "dagersattning",
        "benefits",
        "Asylsökande som saknar egna pengar kan få dagersättning från Migrationsverket.",
        "Asylum seekers without money of their own can receive a daily allowance from the Migration Agency.",
    ),
    Fact(
        "sarskilt-bidrag",
        "benefits",
        "Särskilt bidrag kan beviljas bara om ett särskilt behov prövas och konstateras i det enskilda fallet.",
        "A special allowance may be granted only when a particular need is assessed and established in the individual case.",
    ),
    Fact(
        "verkstallighet",
        "expulsion_return",
        "Ett beslut om utvisning som vunnit laga kraft ska verkställas; den som håller sig undan kan efterlysas av polisen.",
        "A final expulsion order is to be enforced; a person who absconds may be searched for by the police.",
    ),
    Fact(
        "preskription",
        "expulsion_return",
        "Ett beslut om utvisning preskriberas efter fyra år, men att hålla sig undan ger ingen rätt att stanna.",
        "An expulsion order lapses after four years, but hiding gives no right to stay.",
    ),
    Fact(
        "aterresa",
        "expulsion_return",
        "Den som ska återvända kan få stöd för att resa hem frivilligt.",
        "A person who is to return can get support to travel home voluntarily.",
    ),
    Fact(
        "anhoriginvandring",
        "family_reunification",
        "Familjeåterförening kräver en ansökan som prövas; ofta gäller krav på försörjning och bostad.",
        "Family reunification requires an application that is examined; maintenance and housing requirements often apply.",
    ),
    Fact(
        "vard-vuxna",
        "health_care",
        "Vuxna asylsökande har rätt till vård som inte kan anstå, mödrahälsovård och tandvård som inte kan anstå.",
        "Adult asylum seekers are entitled to care that cannot wait, maternity care and dental care that cannot wait.",
    ),
    Fact(
        "vard-barn",
        "health_care",
        "Asylsökande barn har rätt till samma vård som barn som bor i Sverige.",
        "Asylum-seeking children are entitled to the same health care as children living in Sweden.",
    ),
    Fact(
        "halsoundersokning",
        "health_care",
        "Alla asylsökande erbjuds en kostnadsfri hälsoundersökning.",
        "All asylum seekers are offered a free health examination.",
    ),
)


@dataclass(frozen=True)
class Case:
    text: str
    topic: str | None  # the risk topic, or None for an unrelated statement
    kind: str  # "correct", "misleading" or "unrelated"
    fact: str | None = None  # the fact a reviewer should see beside it


CASES = (
    # right to work
    Case("Har du AT-UND får du arbeta medan din ansökan prövas.", "right_to_work", "correct", "at-und"),
    Case(
        "Alla asylsökande får jobba direkt när de kommer till Sverige.",
        "right_to_work",
        "misleading",
        "at-und",
    ),
    Case(
        "Du behöver inte visa vem du är för att få arbeta.", "right_to_work", "misleading", "arbete-identitet"
    ),
    Case(
        "If you are exempt from the work permit requirement you may work.",
        "right_to_work",
        "correct",
        "at-und",
    ),
    Case("Every asylum seeker can take any job from day one.", "right_to_work", "misleading", "at-und"),
    Case("Internships give you a salary and a permanent permit.", "right_to_work", "misleading", "at-und"),
    # benefits
    Case("Du som saknar egna pengar kan få dagersättning.", "benefits", "correct", "dagersattning"),
    Case(
        "Alla asylsökande har rätt till särskilt bidrag för vinterkläder.",
        "benefits",
        "misleading",
        "sarskilt-bidrag",
    ),
    Case("Ansök om särskilt bidrag, det beviljas alltid.", "benefits", "misleading", "sarskilt-bidrag"),
    Case(
        "You can receive a daily allowance if you have no money of your own.",
        "benefits",
        "correct",
        "dagersattning",
    ),
    Case("Everyone gets a special allowance for a computer.", "benefits", "misleading", "sarskilt-bidrag"),
    Case(
        "The agency pays a monthly salary to all asylum seekers.", "benefits", "misleading", "dagersattning"
    ),
    # expulsion and return
    Case(
        "Om du håller dig undan i fyra år får du stanna i Sverige.",
        "expulsion_return",
        "misleading",
        "preskription",
    ),
    Case(
        "Ett utvisningsbeslut som vunnit laga kraft ska verkställas.",
        "expulsion_return",
        "correct",
        "verkstallighet",
    ),
    Case("Du kan få stöd för att resa hem frivilligt.", "expulsion_return", "correct", "aterresa"),
    Case(
        "Hide with friends and the expulsion order will be forgotten.",
        "expulsion_return",
        "misleading",
        "preskription",
    ),
    Case(
        "The police will never look for you after a rejected application.",
        "expulsion_return",
        "misleading",
        "verkstallighet",
    ),
    Case("You can get support to return home voluntarily.", "expulsion_return", "correct", "aterresa"),
    # family reunification
    Case(
        "Din familj får komma till Sverige direkt när du fått uppehållstillstånd.",
        "family_reunification",
        "misleading",
        "anhoriginvandring",
    ),
    Case(
        "Familjeåterförening kräver en ansökan som prövas.",
        "family_reunification",
        "correct",
        "anhoriginvandring",
    ),
    Case(
        "Anhöriga behöver inte visa att det finns bostad.",
        "family_reunification",
        "misleading",
        "anhoriginvandring",
    ),
    Case(
        "Family reunification always happens within a month.",
        "family_reunification",
        "misleading",
        "anhoriginvandring",
    ),
    Case(
        "Your spouse must apply and the application is examined.",
        "family_reunification",
        "correct",
        "anhoriginvandring",
    ),
    Case(
        "Relatives can move here without any requirements.",
        "family_reunification",
        "misleading",
        "anhoriginvandring",
    ),
    # health care
    Case("Vuxna asylsökande har rätt till vård som inte kan anstå.", "health_care", "correct", "vard-vuxna"),
    Case("Asylsökande får all tandvård gratis.", "health_care", "misleading", "vard-vuxna"),
    Case("Barn har rätt till samma vård som andra barn i Sverige.", "health_care", "correct", "vard-barn"),
    Case("Hälsoundersökningen kostar 500 kronor.", "health_care", "misleading", "halsoundersokning"),
    Case(
        "Asylum seekers are offered a free health examination.", "health_care", "correct", "halsoundersokning"
    ),
    Case(
        "Adults can see a doctor for any treatment they want, free of charge.",
        "health_care",
        "misleading",
        "vard-vuxna",
    ),
    # Arabic (material is often written in the participants' language)
    Case("يمكن لجميع طالبي اللجوء العمل فور وصولهم إلى السويد.", "right_to_work", "misleading", "at-und"),
    Case(
        "إذا كنت معفى من شرط تصريح العمل يمكنك العمل أثناء دراسة طلبك.", "right_to_work", "correct", "at-und"
    ),
    Case("يحصل الجميع على إعانة خاصة لشراء الملابس الشتوية.", "benefits", "misleading", "sarskilt-bidrag"),
    Case(
        "إذا اختبأت لمدة أربع سنوات يمكنك البقاء في السويد.", "expulsion_return", "misleading", "preskription"
    ),
    Case("يمكنك الحصول على دعم للعودة إلى بلدك طوعًا.", "expulsion_return", "correct", "aterresa"),
    Case(
        "يمكن لعائلتك القدوم إلى السويد فورًا دون أي شروط.",
        "family_reunification",
        "misleading",
        "anhoriginvandring",
    ),
    Case(
        "يحق للأطفال طالبي اللجوء الحصول على نفس الرعاية الصحية مثل الأطفال الآخرين في السويد.",
        "health_care",
        "correct",
        "vard-barn",
    ),
    Case("الفحص الصحي مجاني لجميع طالبي اللجوء.", "health_care", "correct", "halsoundersokning"),
    # unrelated
    Case("Välkommen till dagens träff på Mötesplatsen.", None, "unrelated"),
    Case("Vi bjuder på kaffe och bullar efteråt.", None, "unrelated"),
    Case("Träffen börjar klockan tio och slutar klockan tolv.", None, "unrelated"),
    Case("Ta med en penna och ett anteckningsblock.", None, "unrelated"),
    Case("Biblioteket har öppet till klockan åtta på torsdagar.", None, "unrelated"),
    Case("Föreningen grundades för trettio år sedan.", None, "unrelated"),
    Case("Språkcaféet hålls varje onsdag i samma lokal.", None, "unrelated"),
    Case("Vi pratar om svenska traditioner som midsommar.", None, "unrelated"),
    Case("Welcome to today's meeting place.", None, "unrelated"),
    Case("Coffee and tea will be served in the hall.", None, "unrelated"),
    Case("The session starts at ten and ends at noon.", None, "unrelated"),
    Case("Please bring a pen and a notebook.", None, "unrelated"),
    Case("The football club trains on Saturdays.", None, "unrelated"),
    Case("Our volunteers speak Arabic, Tigrinya and Dari.", None, "unrelated"),
    Case("The bus stop is right outside the building.", None, "unrelated"),
    Case("We will talk about Swedish seasons and the weather.", None, "unrelated"),
    Case("مرحبًا بكم في لقاء اليوم.", None, "unrelated"),
    Case("سنقدم القهوة والشاي بعد اللقاء.", None, "unrelated"),
    Case("تقع محطة الحافلات أمام المبنى مباشرة.", None, "unrelated"),
)
