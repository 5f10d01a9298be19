"""The word lists synthetic names and texts are combined from."""

from models_registry.choices import Field

CORES = {
    Field.ECONOMY: [
        "Nuôi dê sinh sản",
        "Nuôi dê thương phẩm",
        "Nuôi bò sinh sản",
        "Nuôi ong lấy mật",
        "Nuôi cá lồng trên sông",
        "Nuôi gà thả vườn",
        "Trồng rau an toàn",
        "Trồng cây ăn quả có múi",
        "Trồng chè theo hướng hữu cơ",
        "Trồng dược liệu dưới tán rừng",
        "Trồng quế, hồi",
        "Trồng cà phê bền vững",
        "Hiến đất làm đường",
        "Hiến đất làm đường giao thông nông thôn",
        "Bê tông hóa đường làng, ngõ xóm",
        "Tổ hợp tác sản xuất lúa hữu cơ",
        "Cánh đồng mẫu lớn",
        "Chuyển đổi cơ cấu cây trồng",
        "Tiết kiệm vì phụ nữ nghèo",
        "Tổ vay vốn giúp nhau phát triển kinh tế",
        "Hỗ trợ hộ nghèo nuôi bò",
        "Hợp tác xã nông nghiệp kiểu mới",
        "Phát triển sản phẩm OCOP",
        "Làng nghề đan lát truyền thống",
        "Du lịch cộng đồng",
        "Góp vốn xoay vòng nuôi lợn",
        "Ngân hàng bò",
        "Cựu chiến binh giúp nhau làm kinh tế",
        "Thanh niên khởi nghiệp",
        "Phụ nữ bán hàng trên mạng",
    ],
    Field.CULTURE_SOCIETY: [
        "Khu dân cư văn minh đô thị",
        "Tuổi cao gương sáng",
        "Gia đình văn hóa, khu dân cư văn hóa",
        "Tủ sách cộng đồng",
        "Con đường hoa",
        "Tuyến đường xanh – sạch – đẹp",
        "Phân loại rác thải tại nguồn",
        "Đổi rác lấy quà",
        "Thắp sáng đường quê",
        "Nếp sống văn minh trong việc cưới, việc tang",
        "Ngày Chủ nhật xanh",
        "Bữa cơm nghĩa tình",
        "Nồi cháo tình thương",
        "Mái ấm tình thương",
        "Câu lạc bộ dân ca, dân vũ",
        "Nhà sạch, vườn đẹp",
        "Áo ấm cho em",
        "Nuôi heo đất giúp học sinh nghèo",
        "Tiếp sức đến trường",
        "Dòng họ khuyến học, khuyến tài",
        "Bếp ăn bán trú cho học sinh",
        "Chăm sóc người cao tuổi cô đơn",
        "Phòng, chống bạo lực gia đình",
        "Nói không với túi ni lông",
        "Giữ gìn bản sắc văn hóa dân tộc",
        "Sân chơi cho trẻ em",
        "Xây nhà đại đoàn kết",
        "Hũ gạo tình thương",
    ],
    Field.SECURITY_DEFENCE: [
        "Camera an ninh",
        "Camera an ninh khu dân cư",
        "Tự quản về an ninh trật tự",
        "Khu dân cư không có tội phạm và tệ nạn xã hội",
        "Tổ tự quản đường điện",
        "Dòng họ không có người vi phạm pháp luật",
        "Tiếng kẻng an ninh",
        "Tổ hòa giải ở cơ sở",
        "Cảm hóa, giáo dục người lầm lỗi",
        "Cổng trường an toàn giao thông",
        "Làng bản văn hóa quốc phòng",
        "Nhóm Zalo an ninh trật tự",
        "Tổ liên gia tự quản",
        "Tổ phòng cháy, chữa cháy liên gia",
        "Đoạn đường tự quản an toàn giao thông",
        "Xứ, họ đạo bình yên",
        "Bản không có ma túy",
        "Giúp người sau cai nghiện hòa nhập cộng đồng",
        "Tuần tra nhân dân",
        "Biên giới bình yên",
        "Tổ tự quản bảo vệ đường biên, mốc giới",
    ],
    Field.POLITICAL_SYSTEM: [
        "Hòm thư góp ý 217-218",
        "Dân vận chính quyền",
        "Một cửa thân thiện",
        "Chi bộ bốn tốt",
        "Đảng viên giúp hộ khó khăn",
        "Lắng nghe ý kiến nhân dân",
        "Đối thoại trực tiếp với nhân dân",
        "Dân vận số",
        "Tổ công nghệ số cộng đồng",
        "Bình dân học vụ số",
        "Cán bộ, đảng viên gần dân",
        "Ngày thứ Bảy cùng dân",
        "Tiếp công dân định kỳ",
        "Thủ tục hành chính trực tuyến",
        "Phát triển đảng viên trong đồng bào dân tộc thiểu số",
    ],
}

DVK_NAMES = {
    Field.ECONOMY: [
        "Dân vận khéo trong vận động nhân dân hiến đất làm đường",
        "Dân vận khéo trong phát triển kinh tế hộ gia đình",
        "Dân vận khéo trong xây dựng nông thôn mới",
        "Dân vận khéo trong giải phóng mặt bằng",
        "Dân vận khéo trong giảm nghèo bền vững",
    ],
    Field.CULTURE_SOCIETY: [
        "Dân vận khéo trong công tác vệ sinh môi trường",
        "Dân vận khéo trong xây dựng đời sống văn hóa ở khu dân cư",
        "Dân vận khéo trong vận động xóa bỏ hủ tục",
    ],
    Field.SECURITY_DEFENCE: [
        "Dân vận khéo trong công tác hòa giải",
        "Dân vận khéo trong giữ gìn an ninh trật tự",
        "Dân vận khéo trong vùng đồng bào có đạo",
    ],
    Field.POLITICAL_SYSTEM: [
        "Dân vận khéo trong cải cách hành chính",
        "Dân vận khéo trong chuyển đổi số",
        "Dân vận khéo trong xây dựng Đảng, chính quyền",
    ],
}

NAME_SUFFIXES = [
    "ở thôn {n}",
    "tại tổ dân phố {n}",
    "ở khu dân cư số {n}",
    "gắn với xây dựng nông thôn mới",
    "trong đồng bào dân tộc thiểu số",
    "của chi hội phụ nữ",
    "của chi hội nông dân",
    "của chi đoàn thanh niên",
    "ở vùng giáo",
    "tại xã {place}",
]

# Theme names as seeded by the migration; names an admin has since renamed are skipped.
FIELD_THEMES = {
    Field.ECONOMY: [
        "Xây dựng nông thôn mới, đô thị văn minh",
        "Giảm nghèo bền vững",
        "Phát triển kinh tế hộ gia đình",
        "Giải phóng mặt bằng",
        "Vùng đồng bào dân tộc thiểu số",
    ],
    Field.CULTURE_SOCIETY: [
        "Xây dựng nông thôn mới, đô thị văn minh",
        "Bảo vệ môi trường",
        "An sinh xã hội",
        "Vùng đồng bào dân tộc thiểu số",
        "Tôn giáo",
    ],
    Field.SECURITY_DEFENCE: [
        "An ninh trật tự",
        "Tôn giáo",
        "Vùng đồng bào dân tộc thiểu số",
        "Chuyển đổi số (Dân vận số)",
    ],
    Field.POLITICAL_SYSTEM: [
        "Dân vận chính quyền, cải cách hành chính",
        "Xây dựng Đảng, hệ thống chính trị",
        "Chuyển đổi số (Dân vận số)",
    ],
}

FIELD_INDICATORS = {
    Field.ECONOMY: [
        "participants",
        "households",
        "funds",
        "workdays",
        "land_donated",
        "road_built",
        "poor_households_escaped",
    ],
    Field.CULTURE_SOCIETY: ["participants", "households", "trees_planted", "workdays", "funds"],
    Field.SECURITY_DEFENCE: ["cameras", "participants", "feedback_handled", "households"],
    Field.POLITICAL_SYSTEM: ["feedback_handled", "participants", "households"],
}

INDICATOR_RANGES = {
    "participants": (20, 2_000),
    "households": (10, 800),
    "funds": (5, 900),  # millions of đồng
    "workdays": (30, 5_000),
    "land_donated": (50, 12_000),
    "road_built": (100, 5_000),
    "cameras": (2, 60),
    "trees_planted": (50, 5_000),
    "poor_households_escaped": (1, 60),
    "feedback_handled": (5, 300),
}

INTROS = [
    "Tuyên truyền, vận động nhân dân tham gia",
    "Vận động hội viên cùng thực hiện",
    "Cấp ủy, chính quyền và các đoàn thể phối hợp triển khai",
    "Xây dựng và duy trì",
    "Chi bộ lãnh đạo, Ban công tác Mặt trận chủ trì thực hiện",
]

METHODS = {
    Field.ECONOMY: [
        "hỗ trợ giống, vốn và hướng dẫn kỹ thuật cho các hộ tham gia",
        "thành lập tổ hợp tác, liên kết tiêu thụ sản phẩm",
        "vận động các hộ hiến đất, góp ngày công, cán bộ, đảng viên gương mẫu đi đầu",
        "tổ chức tập huấn, tham quan các mô hình sản xuất hiệu quả",
        "góp vốn xoay vòng giữa các hộ, ưu tiên hộ nghèo, cận nghèo",
    ],
    Field.CULTURE_SOCIETY: [
        "ra quân vệ sinh đường làng, ngõ xóm vào sáng Chủ nhật hằng tuần",
        "đưa nội dung vào hương ước, quy ước của thôn, tổ dân phố",
        "vận động các nhà hảo tâm, con em xa quê ủng hộ kinh phí",
        "tổ chức sinh hoạt câu lạc bộ định kỳ hằng tháng",
        "thăm hỏi, tặng quà các gia đình có hoàn cảnh khó khăn",
    ],
    Field.SECURITY_DEFENCE: [
        "lắp đặt camera tại các tuyến đường, ngã ba, ngã tư trọng điểm",
        "duy trì tổ tự quản, tổ liên gia, phân công cán bộ phụ trách từng cụm dân cư",
        "hòa giải kịp thời mâu thuẫn trong nội bộ nhân dân ngay từ cơ sở",
        "tuyên truyền pháp luật, phát hiện, tố giác tội phạm và tệ nạn xã hội",
        "phối hợp với công an xã tuần tra, kiểm soát vào ban đêm",
    ],
    Field.POLITICAL_SYSTEM: [
        "tiếp nhận, giải quyết kịp thời ý kiến, kiến nghị của nhân dân",
        "công khai thủ tục hành chính, hướng dẫn người dân làm hồ sơ trực tuyến",
        "cán bộ, đảng viên phụ trách hộ gia đình, nắm bắt tâm tư, nguyện vọng của nhân dân",
        "tổ chức đối thoại định kỳ giữa người đứng đầu cấp ủy, chính quyền với nhân dân",
        "tổ công nghệ số cộng đồng hướng dẫn người dân cài đặt, sử dụng ứng dụng",
    ],
}

SITUATIONS = {
    Field.ECONOMY: [
        "Địa bàn còn nhiều hộ nghèo, cận nghèo; sản xuất nhỏ lẻ, thu nhập của người dân thấp.",
        "Đường giao thông nội đồng, liên thôn hẹp, xuống cấp, đi lại khó khăn vào mùa mưa.",
        "Nhân dân có đất, có lao động nhưng thiếu vốn, thiếu kỹ thuật và đầu ra cho sản phẩm.",
    ],
    Field.CULTURE_SOCIETY: [
        "Rác thải sinh hoạt chưa được thu gom, xử lý; ý thức giữ gìn vệ sinh chung còn hạn chế.",
        "Một số hủ tục trong việc cưới, việc tang còn tốn kém, ảnh hưởng đến đời sống nhân dân.",
        "Nhiều gia đình khó khăn, người cao tuổi neo đơn, trẻ em có nguy cơ bỏ học.",
    ],
    Field.SECURITY_DEFENCE: [
        "Tình hình trộm cắp vặt, tệ nạn xã hội diễn biến phức tạp, người dân lo lắng.",
        "Địa bàn rộng, dân cư phân tán, lực lượng công an xã mỏng.",
        "Còn xảy ra mâu thuẫn, tranh chấp trong nội bộ nhân dân, có vụ việc kéo dài.",
    ],
    Field.POLITICAL_SYSTEM: [
        "Một số ý kiến, kiến nghị của nhân dân chưa được tiếp nhận, trả lời kịp thời.",
        "Người dân còn đi lại nhiều lần khi làm thủ tục hành chính.",
        "Sinh hoạt chi bộ có lúc chưa gắn với những việc cụ thể của khu dân cư.",
    ],
}

GOALS = [
    "Nâng cao thu nhập, đời sống của người dân; 100% hộ trong khu dân cư tham gia.",
    "Tạo sự đồng thuận trong nhân dân, phát huy vai trò chủ thể của người dân.",
    "Đến cuối năm, các chỉ tiêu đăng ký đều đạt và vượt; không có đơn thư vượt cấp.",
    "Xây dựng khu dân cư xanh, sạch, đẹp, an toàn; giữ vững danh hiệu khu dân cư văn hóa.",
    "Duy trì hiệu quả và nhân rộng ra các thôn, tổ dân phố lân cận.",
]

TARGET_GROUPS = [
    "Các hộ gia đình trong thôn",
    "Hội viên phụ nữ, nông dân trên địa bàn",
    "Nhân dân khu dân cư, nhất là hộ nghèo, cận nghèo",
    "Đoàn viên thanh niên và học sinh",
    "Đồng bào dân tộc thiểu số, đồng bào có đạo",
    "Người cao tuổi, người có uy tín trong cộng đồng",
]

FORCES = [
    "Ban công tác Mặt trận chủ trì; chi hội phụ nữ, nông dân, cựu chiến binh, chi đoàn phối hợp.",
    "Chi bộ lãnh đạo; trưởng thôn điều hành; các đoàn thể vận động hội viên.",
    "Công an xã hướng dẫn nghiệp vụ; tổ tự quản, tổ liên gia thực hiện.",
    "Cán bộ, đảng viên gương mẫu đi đầu; người có uy tín vận động con cháu, dòng họ.",
]

OUTPUTS = [
    "Biên bản họp thôn, danh sách hộ tham gia, hình ảnh trước và sau khi thực hiện.",
    "Sổ theo dõi, báo cáo sơ kết 6 tháng, tổng kết năm.",
    "Số hộ tham gia, số ngày công, kinh phí huy động được thống kê hằng quý.",
    "Quy ước của khu dân cư được thông qua; sổ ghi chép của tổ tự quản.",
]

SUSTAINABILITY = [
    "Cách làm đơn giản, chi phí thấp, dễ nhân rộng ra các thôn, tổ dân phố khác.",
    "Nhân dân tự nguyện đóng góp, tự quản, không phụ thuộc vào ngân sách.",
    "Được đưa vào nghị quyết của chi bộ và quy ước của khu dân cư nên duy trì lâu dài.",
]

RESOURCES = [
    "",
    "",
    "Nhân dân hiến đất, đóng góp vật liệu và ngày công.",
    "Các nhà hảo tâm, doanh nghiệp trên địa bàn ủng hộ.",
    "Vốn vay Ngân hàng Chính sách xã hội và quỹ hội.",
]

RESULT_SENTENCES = [
    "Sau {months} tháng, mô hình thu hút {people} người tham gia, được nhân dân đồng tình.",
    "Kết quả kỳ báo cáo: các chỉ tiêu đăng ký đạt và vượt; {people} người dân được hưởng lợi.",
    "Mô hình tiếp tục duy trì hiệu quả; {people} lượt người tham gia trong kỳ.",
]

RETURN_REASONS = [
    "Bổ sung kế hoạch thực hiện và dự trù kinh phí.",
    "Làm rõ mục tiêu, tiêu chí đánh giá.",
    "Bổ sung danh sách lực lượng tham gia.",
]

REJECT_REASONS = [
    "Trùng với mô hình đã đăng ký của đơn vị.",
    "Nội dung là nhiệm vụ chuyên môn thường xuyên, chưa phải mô hình dân vận.",
]

NOT_RECOGNISED_REASONS = [
    "Kết quả chưa đạt các tiêu chí đã đăng ký.",
    "Chưa có sản phẩm kiểm chứng được.",
]

DISCONTINUE_REASONS = [
    "Địa bàn sáp nhập, mô hình được gộp vào mô hình chung của xã.",
    "Không còn phù hợp với tình hình thực tế.",
    "Đã hoàn thành mục tiêu đề ra.",
]

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Nông",
    "Vi",
    "Lò",
    "Hà",
    "Lương",
    "Triệu",
    "Ngọc",
]

MIDDLE_MALE = ["Văn", "Đức", "Hữu", "Minh", "Quang", "Xuân"]

MIDDLE_FEMALE = ["Thị", "Thị Thu", "Thị Thanh", "Thị Hồng", "Ngọc"]

GIVEN_MALE = ["Hạnh", "Tàng", "Biên", "Hùng", "Dũng", "Nam", "Sơn", "Thắng", "Tuấn", "Cường"]

GIVEN_FEMALE = ["Lan", "Hoa", "Hương", "Mai", "Hằng", "Nga", "Thảo", "Dung", "Liên", "Yến"]

POSITIONS = [
    "Trưởng Ban công tác Mặt trận thôn {n}",
    "Trưởng Ban công tác Mặt trận tổ dân phố {n}",
    "Bí thư Chi bộ thôn {n}",
    "Trưởng thôn {n}",
    "Tổ trưởng tổ dân phố {n}",
    "Chi hội trưởng Chi hội Phụ nữ thôn {n}",
    "Chi hội trưởng Chi hội Nông dân thôn {n}",
    "Chi hội trưởng Chi hội Cựu chiến binh thôn {n}",
    "Bí thư Chi đoàn thôn {n}",
    "Công an xã",
    "Người có uy tín trong đồng bào dân tộc thiểu số",
    "Chủ tịch Ủy ban MTTQ Việt Nam xã",
    "Công chức Tư pháp – Hộ tịch xã",
]

COLLECTIVES = [
    "Chi hội Phụ nữ thôn {n}",
    "Chi hội Nông dân thôn {n}",
    "Chi hội Cựu chiến binh tổ dân phố {n}",
    "Chi đoàn thanh niên thôn {n}",
    "Ban công tác Mặt trận khu dân cư số {n}",
    "Chi bộ thôn {n}",
    "Tổ hòa giải thôn {n}",
    "Tổ tự quản an ninh trật tự tổ dân phố {n}",
    "Câu lạc bộ Người cao tuổi thôn {n}",
]

TERRITORY_NOTES = ["thôn Nà Pài", "bản Khuổi Chang", "xóm Bãi Sậy", "ấp Tân Phú", "buôn Ea Kly"]

DECISION_ISSUERS = ["QĐ-UBND", "QĐ-BDVTU", "QĐ-MTTQ-BTT", "QĐ-ĐU"]
DECISION_SIGNERS = [
    "Nguyễn Văn Hùng – Phó Chủ tịch UBND",
    "Trần Thị Lan – Trưởng Ban Dân vận",
    "Lê Văn Minh – Chủ tịch Ủy ban MTTQ",
    "Phạm Thị Hoa – Phó Trưởng Ban Tuyên giáo và Dân vận",
]
